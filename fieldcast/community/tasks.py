from django_tasks import task

from .notifying import comment_notify


@task(queue_name="default")
def notify_comment(comment_id: int, mention_ids: list[int], reply: bool) -> int:
    """Notifications about a new or edited comment (reply to its parent's author, mentions)."""
    return comment_notify(comment_id=comment_id, mention_ids=mention_ids, reply=reply)

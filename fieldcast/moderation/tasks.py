from django_tasks import task

from .services_copyright import counter_notice_email_send


@task(queue_name="default")
def email_counter_notice(counter_id: int) -> bool:
    """Send the claimant a copy of the uploader's counter-notice."""
    return counter_notice_email_send(counter_id=counter_id)

from django import forms


class SafeModeOffForm(forms.Form):
    confirm_adult = forms.BooleanField(
        label="I confirm I am 18 or over",
        error_messages={"required": "Confirm that you are 18 or over to turn Safe Mode off."},
    )

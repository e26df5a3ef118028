"""Caregiver: a progressive web app for families of someone in fentanyl treatment.

`flask --app caregiver` and gunicorn's 'caregiver:create_app()' find the factory
here. It loads Flask only when called, so that the rules engine
(`python -m caregiver.signals`) starts without the web stack.
"""


def create_app(test_config=None):
    from .app import create_app as make_app
    return make_app(test_config)

"""The hotline: notices to liaison points, acknowledgements, and delivery (issue 7).

``notices`` builds notices from penalty state changes and confirmed breaches
and keeps their acks and replies in the log; ``webhook``, ``email``, ``cap``
and ``atom`` are the channels; ``outbox`` delivers pending notices and
resumes from the log after a restart.
"""

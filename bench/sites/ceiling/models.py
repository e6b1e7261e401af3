from django.db import models


class Ticket(models.Model):
    """Shaped like a support request, as in the pgbench ceiling of the anchors."""

    subject = models.CharField(max_length=255)
    body = models.TextField()
    status = models.CharField(max_length=8)
    received_at = models.DateTimeField()

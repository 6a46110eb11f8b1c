"""The smallest useful Lambda handler: answers with the event it got."""
import json


def lambda_handler(event, context):
    return {"statusCode": 200, "body": json.dumps({"ok": True, "event": event})}

"""A Lambda authorizer and a small API function for the auth-lambda-token session.

Authorizer events (TOKEN: {"type", "authorizationToken", "methodArn"}; REQUEST: {"type",
"methodArn", "resource", "path", "httpMethod", "headers", ...}) get an answer as AWS
documents it: principalId, policyDocument, context (strings, numbers, booleans) and
usageIdentifierKey. Any other event is the API's own proxy request: the function echoes what
the gateway put in requestContext.authorizer.

Tokens: "allow", "deny" (explicit deny), "elsewhere" (allowed elsewhere only: implicit deny),
"unauthorized" (raises Unauthorized: 401), "broken" (no policyDocument: 500).
Runs with `python3 authorizer.py` (its own Runtime API loop, standard library only).
"""
import json
import os
import urllib.request


def policy(effect, resource):
    return {
        "Version": "2012-10-17",
        "Statement": [{"Action": "execute-api:Invoke", "Effect": effect, "Resource": resource}],
    }


def authorize_token(event):
    token = event["authorizationToken"]
    arn = event["methodArn"]
    # arn:aws:execute-api:region:account:api/stage/METHOD/path -> api/stage/*
    base = arn.split("/", 2)
    everything = base[0] + "/" + base[1] + "/*"
    if token == "unauthorized":
        raise Exception("Unauthorized")
    if token == "broken":
        return {"principalId": "user-1"}
    if token == "deny":
        return {"principalId": "user-1", "policyDocument": policy("Deny", arn)}
    if token == "elsewhere":
        return {"principalId": "user-1", "policyDocument": policy("Allow", base[0] + "/" + base[1] + "/GET/elsewhere")}
    if token == "allow":
        return {
            "principalId": "user-1",
            "policyDocument": policy("Allow", everything),
            "context": {"tier": "gold", "quota": 3, "admin": True},
            "usageIdentifierKey": "key-from-authorizer-0001",
        }
    raise Exception("Unauthorized")


def authorize_request(event):
    team = (event.get("queryStringParameters") or {}).get("team")
    user = (event.get("headers") or {}).get("X-User")
    effect = "Allow" if team == "blue" else "Deny"
    return {
        "principalId": user,
        "policyDocument": policy(effect, event["methodArn"]),
        "context": {"team": team, "path": event["path"], "resource": event["resource"]},
    }


def handler(event, context=None):
    kind = event.get("type") if isinstance(event, dict) else None
    if kind == "TOKEN":
        return authorize_token(event)
    if kind == "REQUEST":
        return authorize_request(event)
    authorizer = event.get("requestContext", {}).get("authorizer")
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"},
            "body": json.dumps({"authorizer": authorizer})}


def _serve():
    api = os.environ["AWS_LAMBDA_RUNTIME_API"]
    base = f"http://{api}/2018-06-01/runtime/invocation"
    while True:
        with urllib.request.urlopen(f"{base}/next") as r:
            request_id = r.headers["Lambda-Runtime-Aws-Request-Id"]
            event = json.loads(r.read() or b"null")
        try:
            body = json.dumps(handler(event)).encode()
            req = urllib.request.Request(f"{base}/{request_id}/response", data=body, method="POST")
        except Exception as e:  # the function raised: report it as Lambda does
            err = {"errorMessage": str(e), "errorType": type(e).__name__, "stackTrace": []}
            req = urllib.request.Request(
                f"{base}/{request_id}/error",
                data=json.dumps(err).encode(),
                method="POST",
                headers={"Lambda-Runtime-Function-Error-Type": "Unhandled"},
            )
        urllib.request.urlopen(req).read()


if __name__ == "__main__":
    _serve()

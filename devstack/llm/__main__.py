"""python -m devstack.llm --port N: serve the local reader until interrupted."""
import argparse
import logging

from devstack.llm.server import make_server


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m devstack.llm", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=18002)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    server = make_server(args.port, args.host)
    logging.getLogger("devstack.llm").info("serving http://%s:%d/v1", args.host, args.port)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()

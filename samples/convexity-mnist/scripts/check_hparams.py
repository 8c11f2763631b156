"""Lists a sweep's runs as TensorBoard's HParams dashboard sees them, and fails if it sees none.

It reads the log root with TensorBoard's own loader and the HParams plugin's backend (the code
behind the dashboard's table), so it proves that TensorBoard reads the records Kiln writes.
Written against tensorboard 2.21 (the version .ci/requirements-tensorboard.txt pins).

usage: python check_hparams.py LOG_ROOT [--metric TAG ...]
"""
import argparse
import sys

from tensorboard import context
from tensorboard.backend.event_processing import data_provider, plugin_event_multiplexer
from tensorboard.plugins.hparams import api_pb2, backend_context, list_session_groups


def session_groups(log_root):
    multiplexer = plugin_event_multiplexer.EventMultiplexer()
    multiplexer.AddRunsFromDirectory(log_root)
    multiplexer.Reload()
    provider = data_provider.MultiplexerDataProvider(multiplexer, log_root)
    tb_context = type("TBContext", (), {"data_provider": provider, "multiplexer": multiplexer})()
    hparams = backend_context.Context(tb_context)
    # The dashboard's own request lists runs of the statuses it asks for: all of them here.
    statuses = [api_pb2.STATUS_UNKNOWN, api_pb2.STATUS_SUCCESS, api_pb2.STATUS_FAILURE, api_pb2.STATUS_RUNNING]
    request = api_pb2.ListSessionGroupsRequest(start_index=0, slice_size=1000, allowed_statuses=statuses)
    return list_session_groups.Handler(context.RequestContext(), hparams, "", request).run().session_groups


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("log_root")
    parser.add_argument("--metric", action="append", default=[], help="a metric tag every run must have")
    args = parser.parse_args()
    groups = session_groups(args.log_root)
    if not groups:
        sys.exit(f"TensorBoard's HParams dashboard finds no runs in {args.log_root}")
    failed = False
    for group in groups:
        hparams = {name: value.string_value or value.number_value for name, value in sorted(group.hparams.items())}
        metrics = {m.name.tag: m.value for m in group.metric_values}
        print(group.name, hparams, {tag: round(value, 4) for tag, value in sorted(metrics.items())})
        missing = [tag for tag in args.metric if tag not in metrics]
        if missing:
            print(f"  missing metrics: {', '.join(missing)}")
            failed = True
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

# workerd config serving the sample edge function (examples/edge/worker.ts, bundled by `npm run build` into
# examples/edge/dist/worker.js). Run from the repository root:
#   npx workerd serve examples/edge/config.capnp                       # 127.0.0.1:8787
#   npx workerd serve examples/edge/config.capnp --socket-addr http=127.0.0.1:9000
#   curl --data-binary @trace.pcap http://127.0.0.1:8787/conn
using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "synack", worker = .synackWorker) ],
  sockets = [ (name = "http", address = "127.0.0.1:8787", http = (), service = "synack") ],
);

const synackWorker :Workerd.Worker = (
  modules = [
    (name = "worker.js", esModule = embed "dist/worker.js"),
    # The core as a compiled module: the worker imports "./synack.wasm" and receives a WebAssembly.Module.
    (name = "synack.wasm", wasm = embed "../../build/synack.wasm"),
  ],
  compatibilityDate = "2024-09-23",
  # node:crypto (synchronous SHA-1 for the events' byte strings).
  compatibilityFlags = ["nodejs_compat"],
);

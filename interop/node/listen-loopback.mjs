// Preloaded with `node --import ./listen-loopback.mjs <server> ...`.
//
// The reference servers call `app.listen(process.env.PORT)` with no host, so
// they bind every interface and, with PORT=0, log "port 0" instead of the port
// they got. This hook changes only where the first HTTP server listens:
// it binds 127.0.0.1 and prints exactly one line `PORT=<n>` on stdout once the
// socket is listening, so a caller can start the server on port 0 without a race.
// With INTEROP_EXIT_ON_STDIN_EOF=1 the process also exits once stdin is closed, so
// a server started by a test dies with the test process.
import net from "node:net";

if (process.env.INTEROP_EXIT_ON_STDIN_EOF === "1") {
  process.stdin.on("end", () => process.exit(0));
  process.stdin.on("error", () => process.exit(0));
  process.stdin.resume();
}

const originalListen = net.Server.prototype.listen;
let announced = false;

net.Server.prototype.listen = function listen(...args) {
  if (!announced && (typeof args[0] === "number" || typeof args[0] === "string")) {
    announced = true;
    const port = Number(args[0]);
    const callback = typeof args[args.length - 1] === "function" ? args[args.length - 1] : undefined;
    this.once("listening", () => {
      const address = this.address();
      process.stdout.write(`PORT=${address.port}\n`);
    });
    return callback
      ? originalListen.call(this, port, "127.0.0.1", callback)
      : originalListen.call(this, port, "127.0.0.1");
  }
  return originalListen.apply(this, args);
};

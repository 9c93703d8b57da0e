// kinesalite, the Kinesis-compatible server the Kinesis destination tests
// publish to, listening on loopback only (its command line binds every
// address). Prints "listening" once it accepts connections.
//
//   node kinesalite.cjs <port>
const kinesalite = require("kinesalite");

const port = Number(process.argv[2]);
kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0 }).listen(port, "127.0.0.1", () => {
  console.log("listening");
});

// Runs every ONNX model the .NET tests exported (TestResults/node-onnx/<case>/: model.onnx and
// case.json with its inputs and the pipeline's outputs) in ONNX Runtime for Node.js, a second
// runtime outside .NET, and compares each output with the pipeline's within the case's tolerance.
// Prints one line per case and exits 1 on any mismatch or missing case.
//   node tests/node/check.mjs [folder]
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import * as ort from "onnxruntime-node";

const folder = process.argv[2] ?? join(import.meta.dirname, "..", "..", "TestResults", "node-onnx");
if (!existsSync(folder)) {
  console.error(`node check: ${folder} does not exist; run dotnet test first (OnnxExportTests writes it).`);
  process.exit(1);
}
const arrays = { float32: Float32Array, int32: Int32Array, bool: Uint8Array };
let failures = 0;
let cases = 0;
for (const name of readdirSync(folder).sort()) {
  const dir = join(folder, name);
  const spec = JSON.parse(readFileSync(join(dir, "case.json"), "utf8"));
  const session = await ort.InferenceSession.create(join(dir, "model.onnx"), { logSeverityLevel: 3 });
  const feeds = {};
  for (const input of spec.inputs) {
    const data = input.type === "string" ? input.data : arrays[input.type].from(input.data.map(Number));
    feeds[input.name] = new ort.Tensor(input.type, data, input.dims);
  }
  const results = await session.run(feeds, Object.keys(spec.expected));
  let worst = 0;
  for (const [output, expected] of Object.entries(spec.expected)) {
    const actual = results[output].data;
    if (actual.length !== expected.length) {
      console.error(`${name}: ${output} has ${actual.length} values, expected ${expected.length}`);
      failures++;
      continue;
    }
    for (let i = 0; i < expected.length; i++) {
      worst = Math.max(worst, Math.abs(actual[i] - expected[i]));
    }
  }
  cases++;
  const ok = worst <= spec.tolerance;
  if (!ok) failures++;
  console.log(`${name}: ${Object.keys(spec.expected).join(", ")} ${ok ? "equal" : "DIFFER"} to the .NET pipeline's; largest difference ${worst.toExponential(2)} (tolerance ${spec.tolerance})`);
}
if (cases === 0) {
  console.error(`node check: no cases in ${folder}`);
  process.exit(1);
}
console.log(`node check: ${cases - failures} of ${cases} exported models match in onnxruntime-node ${ort.env.versions?.common ?? ""}`);
process.exit(failures === 0 ? 0 : 1);

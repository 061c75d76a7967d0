// MLNet.Lstm behind HTTP: loads a model.zip (a sequence classifier with the LSTM featurizer) and
// scores sequences posted as JSON, one pooled PredictionEngine per request.
//   dotnet run -c Release --project examples/WebService [-- --model path/to/model.zip] [--urls http://127.0.0.1:5123]
// It listens where ASP.NET Core's configuration says (--urls, ASPNETCORE_URLS, appsettings' "Urls"), by default localhost:5000.
// Without --model it trains QuickStart's sine-vs-square demo model (24 values a sequence) first.
//   curl localhost:5000/health
//   curl -X POST localhost:5000/score -H 'Content-Type: application/json' -d '{"sequence":[0,0.59,0.95,0.95,0.59,0,-0.59,-0.95,-0.95,-0.59,0,0.59,0.95,0.95,0.59,0,-0.59,-0.95,-0.95,-0.59,0,0.59,0.95,0.95]}'
//   → {"score":-2.8137584,"probability":0.05658521,"label":false} (a sine; [1,1,1,1,1,-1,-1,-1,-1,-1,...] is a square: label true)
// A batch: {"sequences":[[...],[...]]}; add "representation": true (or ?representation=true) for the LSTM's output vector.
using MLNet.Lstm.Examples.WebService;

await using var app = ScoringApp.Build(args, modelPath: null);
await app.RunAsync();

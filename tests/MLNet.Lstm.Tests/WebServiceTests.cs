using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Lstm.Examples.WebService;
using MLNet.Lstm.Tests.Support;

namespace MLNet.Lstm.Tests;

/// <summary>
/// examples/WebService started in-process on 127.0.0.1 with the demo model.zip: its answers equal
/// the offline pipeline's, bad input is a 400 naming the problem, and a long load leaks nothing.
/// </summary>
[TestClass]
public sealed class WebServiceTests
{
    private const long AllowedGrowth = 50L * 1024 * 1024;

    private static string _folder = "";
    private static WebApplication _app = null!;
    private static HttpClient _client = null!;
    private static float[][] _sequences = [];
    private static float[] _offlineScores = [];
    private static float[] _offlineProbabilities = [];
    private static bool[] _offlineLabels = [];
    private static float[][] _offlineFeatures = [];

    [ClassInitialize]
    public static async Task StartService(TestContext _)
    {
        _folder = Directory.CreateTempSubdirectory("lstm-web").FullName;
        string zip = Path.Combine(_folder, "model.zip");
        DemoModel.TrainAndSave(zip);
        _sequences = [.. DemoModel.Sequences(200, seed: 2)];
        ScoreOffline(zip);

        _app = ScoringApp.Build([], zip, port: 0);
        await _app.StartAsync();
        _client = new HttpClient { BaseAddress = new Uri(_app.Urls.Single()) };
    }

    [ClassCleanup]
    public static async Task StopService()
    {
        _client.Dispose();
        await _app.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [TestMethod]
    public async Task SixteenClientsSending32000RequestsGetNoErrorsTheOfflineScoresAndAFlatWorkingSet()
    {
        var result = await ScoringLoad.Standard.RunAsync(_client, _sequences);

        Console.WriteLine(result);
        Assert.IsEmpty(result.Errors, string.Join("\n", result.Errors.Take(10)));
        for (int i = 0; i < result.Requests; i++)
        {
            // Exact: the service and the offline pipeline run the same transformers on the same
            // floats, and JSON carries a float's shortest round-trip form.
            Assert.AreEqual(_offlineScores[i % _sequences.Length], result.Scores[i], $"request {i}");
        }
        // Growth only: in a process that ran the other tests first, the runtime may hand their memory
        // back to the OS during the load, and a working set that shrinks leaks nothing.
        Assert.IsLessThan(AllowedGrowth, result.WorkingSetAfter - result.WorkingSetAfterWarmUp, $"working set growth: {result}");
    }

    [TestMethod]
    public async Task HealthAnswers200()
    {
        using var response = await _client.GetAsync("/health");

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
    }

    [TestMethod]
    public async Task ASequenceGetsTheOfflineScoreProbabilityAndLabelWithoutFeatures()
    {
        using var response = await Post(Body(new { sequence = _sequences[3] }));

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        Assert.AreEqual(_offlineScores[3], root.GetProperty("score").GetSingle());
        Assert.AreEqual(_offlineProbabilities[3], root.GetProperty("probability").GetSingle());
        Assert.AreEqual(_offlineLabels[3], root.GetProperty("label").GetBoolean());
        Assert.IsFalse(root.TryGetProperty("features", out _));
    }

    [TestMethod]
    public async Task ABatchGetsOneResultPerSequenceInOrder()
    {
        int[] rows = [7, 0, 199, 7, 42];

        var results = await Results(Body(new { sequences = rows.Select(r => _sequences[r]) }));

        Assert.HasCount(rows.Length, results);
        for (int i = 0; i < rows.Length; i++)
        {
            Assert.AreEqual(_offlineScores[rows[i]], results[i].Score, $"result {i}");
            Assert.AreEqual(_offlineLabels[rows[i]], results[i].Label, $"result {i}");
        }
    }

    [TestMethod]
    public async Task RepresentationTrueInTheBodyReturnsTheOfflineFeaturizerOutput()
    {
        var results = await Results(Body(new { sequences = new[] { _sequences[5], _sequences[6] }, representation = true }));

        CollectionAssert.AreEqual(_offlineFeatures[5], results[0].Features);
        CollectionAssert.AreEqual(_offlineFeatures[6], results[1].Features);
    }

    [TestMethod]
    public async Task RepresentationTrueInTheQueryReturnsTheOfflineFeaturizerOutput()
    {
        using var response = await Post(Body(new { sequence = _sequences[9] }), "?representation=true");

        var result = JsonSerializer.Deserialize<ScoreResult>(await response.Content.ReadAsStringAsync(), JsonSerializerOptions.Web)!;
        CollectionAssert.AreEqual(_offlineFeatures[9], result.Features);
        Assert.AreEqual(_offlineScores[9], result.Score);
    }

    [TestMethod]
    public Task ABodyThatIsNotJsonGets400() =>
        AssertBadRequest("{\"sequence\": [1, 2,", "The request body is not valid JSON: Expected start of a property name or value, but instead reached end of data. LineNumber: 0 | BytePositionInLine: 18.");

    [TestMethod]
    public Task AnEmptyBodyGets400() =>
        AssertBadRequest("", "The request body is not valid JSON: The input does not contain any JSON tokens. Expected the input to start with a valid JSON token, when isFinalBlock is true. LineNumber: 0 | BytePositionInLine: 0.");

    [TestMethod]
    public Task AJsonArrayInsteadOfAnObjectGets400() =>
        AssertBadRequest("[1, 2, 3]", "The request body must be a JSON object with \"sequence\" (an array of numbers) or \"sequences\" (an array of such arrays); found an array.");

    [TestMethod]
    public Task AnObjectWithNeitherSequenceNorSequencesGets400() =>
        AssertBadRequest("{}", "The request body has neither \"sequence\" nor \"sequences\".");

    [TestMethod]
    public Task BothSequenceAndSequencesGet400() =>
        AssertBadRequest(Body(new { sequence = _sequences[0], sequences = new[] { _sequences[1] } }), "The request body has both \"sequence\" and \"sequences\"; send one of them.");

    [TestMethod]
    public Task AnUnknownPropertyGets400() =>
        AssertBadRequest("{\"sequnce\": [1]}", "Unknown property \"sequnce\": the body takes \"sequence\" or \"sequences\", and optionally \"representation\".");

    [TestMethod]
    public Task ADuplicatePropertyGets400() =>
        AssertBadRequest("{\"sequence\": [1], \"sequence\": [2]}", "The request body is not valid JSON: Duplicate property 'sequence' encountered during deserialization.");

    [TestMethod]
    public Task ASequenceThatIsNotAnArrayGets400() =>
        AssertBadRequest("{\"sequence\": \"1,2,3\"}", "\"sequence\" must be an array of numbers; found a string.");

    [TestMethod]
    public Task ABatchThatIsNotAnArrayOfArraysGets400() =>
        AssertBadRequest(Body(new { sequences = _sequences[0] }), "\"sequences[0]\" must be an array of numbers; found a number.");

    [TestMethod]
    public Task ASequenceOneValueShortGets400() =>
        AssertBadRequest(Body(new { sequence = _sequences[0][..^1] }), "\"sequence\": expected 24 values, found 23.");

    [TestMethod]
    public Task ABatchWithOneSequenceOneValueLongGets400NamingIt() =>
        AssertBadRequest(Body(new { sequences = new[] { _sequences[0], [.. _sequences[1], 0f] } }), "\"sequences[1]\": expected 24 values, found 25.");

    [TestMethod]
    public Task AStringValueGets400() =>
        AssertBadRequest(Body(new { sequence = WithValue(4, "0.5") }), "\"sequence[4]\" must be a number; found a string.");

    [TestMethod]
    public Task NullAsAValueGets400() =>
        AssertBadRequest(Body(new { sequence = WithValue(4, null) }), "\"sequence[4]\" must be a number; found null.");

    [TestMethod]
    [DataRow("NaN")]
    [DataRow("Infinity")]
    [DataRow("-Infinity")]
    public Task NamedFloatingPointLiteralsAsStringsGet400(string literal) =>
        AssertBadRequest(Body(new { sequence = WithValue(2, literal) }),
            $"\"sequence[2]\" is \"{literal}\": NaN and infinity cannot be scored (the featurizer's output for such a sequence is all NaN); replace missing values before sending.");

    [TestMethod]
    public Task BareNaNIsNotJsonAndGets400() =>
        AssertBadRequest("{\"sequence\": [NaN]}", "The request body is not valid JSON: 'N' is an invalid start of a value. LineNumber: 0 | BytePositionInLine: 14.");

    [TestMethod]
    public Task ANumberBeyondTheFloatRangeGets400() =>
        AssertBadRequest($"{{\"sequence\": [{string.Join(", ", Enumerable.Repeat("0", 23))}, -1e39]}}", "\"sequence[23]\" is -1e39, outside the range of a 32-bit float.");

    [TestMethod]
    public Task AnEmptyBatchGets400() =>
        AssertBadRequest("{\"sequences\": []}", "\"sequences\" is empty; send at least one sequence.");

    [TestMethod]
    public Task ABatchOverTheLimitGets400() =>
        AssertBadRequest(Body(new { sequences = Enumerable.Repeat(_sequences[0], ScoreRequest.MaxBatch + 1) }), "\"sequences\" holds 1,001 sequences; a request may hold at most 1,000.");

    [TestMethod]
    public async Task ABatchAtTheLimitIsScored()
    {
        var results = await Results(Body(new { sequences = Enumerable.Repeat(_sequences[0], ScoreRequest.MaxBatch) }));

        Assert.HasCount(ScoreRequest.MaxBatch, results);
        Assert.IsTrue(results.All(r => r.Score == _offlineScores[0]));
    }

    [TestMethod]
    public Task RepresentationThatIsNotABooleanGets400() =>
        AssertBadRequest(Body(new { sequence = _sequences[0], representation = "yes" }), "\"representation\" must be true or false; found a string.");

    [TestMethod]
    public Task RepresentationInTheQueryThatIsNotABooleanGets400() =>
        AssertBadRequest(Body(new { sequence = _sequences[0] }), "The query's representation must be true or false; found 'yes'.", "?representation=yes");

    [TestMethod]
    public Task ABodyOverTheLimitGets400() =>
        AssertBadRequest(new string(' ', (int)RequestBody.MaxBytes + 1), "The request body is larger than the limit of 8,388,608 bytes.");

    [TestMethod]
    public async Task ABodyOverTheLimitSentWithoutContentLengthGets400()
    {
        // A stream of unknown length is sent chunked, so the service learns the size only by reading.
        using var content = new StreamContent(new UnseekableStream(new byte[RequestBody.MaxBytes + 1]));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var response = await _client.PostAsync("/score", content);

        await AssertProblem(response, "The request body is larger than the limit of 8,388,608 bytes.");
    }

    [TestMethod]
    public async Task TheUrlsArgumentChoosesWhereTheServiceListens()
    {
        await using var app = ScoringApp.Build(["--urls", "http://127.0.0.1:0"], Path.Combine(_folder, "model.zip"));
        await app.StartAsync();
        var address = new Uri(app.Urls.Single());
        using var client = new HttpClient { BaseAddress = address };

        using var response = await client.GetAsync("/health");

        Assert.AreEqual("127.0.0.1", address.Host);
        Assert.AreNotEqual(5000, address.Port);
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.AreEqual("""{"status":"healthy"}""", await response.Content.ReadAsStringAsync());
    }

    [TestMethod]
    public async Task AnUnexpectedFailureGets500WithTheGenericMessage()
    {
        await using var app = ScoringApp.Build([], Path.Combine(_folder, "model.zip"), port: 0);
        await app.StartAsync();
        using var client = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };
        // A disposed model's engine pool throws ObjectDisposedException: a failure no request check foresees.
        app.Services.GetRequiredService<ScoringModel>().Dispose();

        using var response = await client.PostAsync("/score", new StringContent(Body(new { sequence = _sequences[0] }), Encoding.UTF8, "application/json"));

        string text = await response.Content.ReadAsStringAsync();
        Assert.AreEqual(HttpStatusCode.InternalServerError, response.StatusCode, text);
        using var problem = JsonDocument.Parse(text);
        Assert.AreEqual(ScoringApp.InternalErrorMessage, problem.RootElement.GetProperty("detail").GetString());
    }

    private static async Task AssertBadRequest(string body, string message, string query = "")
    {
        using var response = await Post(body, query);
        await AssertProblem(response, message);
    }

    private static async Task AssertProblem(HttpResponseMessage response, string message)
    {
        string text = await response.Content.ReadAsStringAsync();
        Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode, text);
        Assert.AreEqual("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(text);
        Assert.AreEqual(message, problem.RootElement.GetProperty("detail").GetString());
    }

    private static async Task<ScoreResult[]> Results(string body)
    {
        using var response = await Post(body);
        string text = await response.Content.ReadAsStringAsync();
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, text);
        return JsonSerializer.Deserialize<ScoreResult[]>(text, JsonSerializerOptions.Web)!;
    }

    private static Task<HttpResponseMessage> Post(string body, string query = "") =>
        _client.PostAsync("/score" + query, new StringContent(body, Encoding.UTF8, "application/json"));

    private static string Body(object value) => JsonSerializer.Serialize(value);

    /// <summary>Sequence 0 with one value replaced by any JSON value.</summary>
    private static object?[] WithValue(int index, object? value) =>
        [.. _sequences[0].Select((v, i) => i == index ? value : (object)v)];

    private static void ScoreOffline(string zip)
    {
        var mlContext = new MLContext(seed: 1);
        using var model = (TransformerChain<ITransformer>)mlContext.Model.Load(zip, out _);
        var schema = SchemaDefinition.Create(typeof(SequenceRow));
        schema[nameof(SequenceRow.Sequence)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, DemoModel.Steps);
        var data = mlContext.Data.LoadFromEnumerable(_sequences.Select(s => new SequenceRow { Sequence = s }), schema);
        var scored = model.Transform(data);
        _offlineScores = [.. scored.GetColumn<float>("Score")];
        _offlineProbabilities = [.. scored.GetColumn<float>("Probability")];
        _offlineLabels = [.. scored.GetColumn<bool>("PredictedLabel")];
        _offlineFeatures = TestData.Features(model.OfType<LstmFeaturizerTransformer>().Single().Transform(data));
    }

    private sealed class UnseekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}

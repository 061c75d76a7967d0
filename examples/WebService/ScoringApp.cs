using System.Net;
using Microsoft.AspNetCore.Diagnostics;

namespace MLNet.Lstm.Examples.WebService;

/// <summary>The service's composition: model, endpoints, error handling. Program.cs runs it; tests start it in-process.</summary>
public static class ScoringApp
{
    /// <summary>The message of every 500: what failed inside is logged, not sent.</summary>
    public const string InternalErrorMessage = "The service failed to score this request; the error is in its log.";

    /// <summary>
    /// Builds the service. With <paramref name="port"/> it listens on 127.0.0.1:<paramref name="port"/>
    /// (0: a free port, read back from <c>app.Urls</c> after start); without, where ASP.NET Core's
    /// configuration says (<c>--urls</c>, <c>ASPNETCORE_URLS</c>, appsettings' "Urls"), by default
    /// http://localhost:5000. The model is <paramref name="modelPath"/>, else the
    /// configuration's "Model" (<c>--model path</c>), else a demo model trained and saved now.
    /// </summary>
    public static WebApplication Build(string[] args, string? modelPath, int? port = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        // ASP.NET Core logs two lines per request at Information; at thousands of requests a second that is most of the work.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        if (port is int fixedPort)
        {
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, fixedPort));
        }
        else
        {
            CheckUrls(builder.Configuration["urls"]);
        }
        modelPath ??= builder.Configuration["Model"] ?? TrainDemoModel();
        // A factory, not an instance: the container disposes what it made when the app is disposed.
        builder.Services.AddSingleton(_ => new ScoringModel(modelPath));

        var app = builder.Build();
        app.UseExceptionHandler(handler => handler.Run(WriteInternalError));
        app.MapGet("/health", () => Results.Ok(new { status = "healthy" }));
        app.MapPost("/score", Score);
        // Loading now makes a bad model.zip fail at start, not on the first request.
        var model = app.Services.GetRequiredService<ScoringModel>();
        app.Logger.LogInformation("Scoring {Model}: sequences of {Length} values in column '{Column}'", modelPath, model.InputLength, model.InputColumnName);
        return app;
    }

    /// <summary>
    /// Refuses a malformed address now, naming the setting, rather than at start inside Kestrel
    /// ("Invalid url"), after the model has loaded.
    /// </summary>
    private static void CheckUrls(string? urls)
    {
        foreach (string url in (urls ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            try
            {
                BindingAddress.Parse(url);
            }
            catch (FormatException)
            {
                throw new ArgumentException($"--urls (or ASPNETCORE_URLS, or appsettings' \"Urls\"): expected addresses such as http://127.0.0.1:5123, separated by ';', found '{url}'.", "args");
            }
        }
    }

    private static async Task<IResult> Score(HttpContext context, ScoringModel model)
    {
        try
        {
            bool representationQuery = RepresentationQuery(context.Request);
            var request = await RequestBody.ReadAsync(context.Request, body => ScoreRequest.Parse(body, model.InputLength), context.RequestAborted);
            var results = model.Score(request.Sequences, request.Representation || representationQuery);
            return request.IsBatch ? Results.Json(results) : Results.Json(results[0]);
        }
        catch (BadScoreRequestException e)
        {
            return Results.Problem(detail: e.Message, statusCode: StatusCodes.Status400BadRequest);
        }
    }

    private static bool RepresentationQuery(HttpRequest request)
    {
        if (!request.Query.TryGetValue("representation", out var values))
        {
            return false;
        }
        return values is [{ } value] && bool.TryParse(value, out bool representation)
            ? representation
            : throw new BadScoreRequestException($"The query's representation must be true or false; found '{values}'.");
    }

    private static async Task WriteInternalError(HttpContext context)
    {
        // Kestrel's own refusals (a malformed body, say) are the client's fault: keep their 4xx code.
        int status = context.Features.Get<IExceptionHandlerFeature>()?.Error is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError;
        string detail = status == StatusCodes.Status500InternalServerError ? InternalErrorMessage : "The request could not be read.";
        await Results.Problem(detail: detail, statusCode: status).ExecuteAsync(context);
    }

    private static string TrainDemoModel()
    {
        string path = Path.Combine(Path.GetTempPath(), "MLNet.Lstm.WebService", "demo-model.zip");
        DemoModel.TrainAndSave(path);
        return path;
    }
}

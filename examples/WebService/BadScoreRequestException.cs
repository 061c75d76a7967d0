namespace MLNet.Lstm.Examples.WebService;

/// <summary>A request the service refuses with HTTP 400; the message says what was wrong and is sent to the client.</summary>
/// <param name="message">What was wrong, naming the field and what was expected.</param>
public sealed class BadScoreRequestException(string message) : Exception(message);

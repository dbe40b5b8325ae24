namespace Makemore.Service;

/// <summary>A request the service refuses: answered with status 400 and <c>{"error": Message}</c>.</summary>
public sealed class BadRequestException(string message) : Exception(message);

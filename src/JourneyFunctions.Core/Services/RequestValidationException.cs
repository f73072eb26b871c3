namespace JourneyFunctions.Core.Services;

/// <summary>A problem with one field of a request, named by its JSON path (e.g. <c>$[2].name</c>).</summary>
public sealed record FieldError(string Field, string Message);

/// <summary>
/// Bad input: every field problem at once. Hosts turn it into a 400 problem+json whose <c>errors</c> name the fields.
/// </summary>
public sealed class RequestValidationException : Exception
{
    public RequestValidationException()
        : this([])
    {
    }

    public RequestValidationException(string message)
        : this([new FieldError("$", message)])
    {
    }

    public RequestValidationException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [new FieldError("$", message)];
    }

    public RequestValidationException(IReadOnlyList<FieldError> errors)
        : base(errors.Count == 0 ? "The request is invalid." : string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}")))
    {
        Errors = errors;
    }

    public IReadOnlyList<FieldError> Errors { get; }
}

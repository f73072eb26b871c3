using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace JourneyFunctions.Api;

/// <summary>
/// RFC 9457 problem details for every error the API returns. Field problems go in <c>errors</c>, keyed by the JSON
/// path of the field (or the header/query name), each with the sentences that explain it, the shape ASP.NET Core's
/// validation problems use, so a client can show the message next to the field.
/// </summary>
public static class ApiProblems
{
    public static ProblemHttpResult Fields(int status, string title, IEnumerable<(string Field, string Message)> errors, string? detail = null)
    {
        var grouped = errors
            .GroupBy(e => e.Field, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray(), StringComparer.Ordinal);
        var problem = new ProblemDetails
        {
            Status = status,
            Title = title,
            Detail = detail ?? string.Join("; ", grouped.Select(g => $"{g.Key}: {string.Join(", ", g.Value)}")),
            Type = TypeFor(status),
        };
        problem.Extensions["errors"] = grouped;
        return TypedResults.Problem(problem);
    }

    public static ProblemHttpResult Field(int status, string title, string field, string message) =>
        Fields(status, title, [(field, message)]);

    public static ProblemHttpResult BadRequest(string field, string message) =>
        Field(StatusCodes.Status400BadRequest, "The request is invalid.", field, message);

    public static ProblemHttpResult NotFound(string what, string field, string message) =>
        Field(StatusCodes.Status404NotFound, $"{what} not found.", field, message);

    public static ProblemHttpResult TooLarge(string field, long limit) =>
        Field(StatusCodes.Status413PayloadTooLarge, "The request body is too large.", field, $"must be at most {limit} bytes");

    public static ProblemHttpResult Unauthorized(string field, string message, string title = "An API key is required.") =>
        Field(StatusCodes.Status401Unauthorized, title, field, message);

    /// <summary>The RFC 9110 section of a status, as ASP.NET Core's defaults name them.</summary>
    public static string TypeFor(int status) => status switch
    {
        400 => "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        401 => "https://tools.ietf.org/html/rfc9110#section-15.5.2",
        403 => "https://tools.ietf.org/html/rfc9110#section-15.5.4",
        404 => "https://tools.ietf.org/html/rfc9110#section-15.5.5",
        405 => "https://tools.ietf.org/html/rfc9110#section-15.5.6",
        409 => "https://tools.ietf.org/html/rfc9110#section-15.5.10",
        413 => "https://tools.ietf.org/html/rfc9110#section-15.5.14",
        415 => "https://tools.ietf.org/html/rfc9110#section-15.5.16",
        422 => "https://tools.ietf.org/html/rfc9110#section-15.5.21",
        429 => "https://tools.ietf.org/html/rfc6585#section-4",
        503 => "https://tools.ietf.org/html/rfc9110#section-15.6.4",
        _ => "https://tools.ietf.org/html/rfc9110#section-15.6.1",
    };
}

using System.Text.Json;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Services;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Logging;

namespace JourneyFunctions.Api;

/// <summary>
/// Turns exceptions that mean bad input into the problem they describe: a <see cref="RequestValidationException"/>
/// into a 400 listing every field, a body over Kestrel's limit into a 413, malformed JSON into a 400 with its path.
/// Anything else is a fault of the host: logged with its stack, answered with a 500 problem that leaks nothing.
/// </summary>
public sealed partial class ApiExceptionHandler(ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ProblemHttpResult? problem = exception switch
        {
            RequestValidationException invalid => ApiProblems.Fields(
                StatusCodes.Status400BadRequest,
                "The request is invalid.",
                invalid.Errors.Count == 0 ? [("$", invalid.Message)] : invalid.Errors.Select(e => (e.Field, e.Message))),
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => ApiProblems.Field(
                StatusCodes.Status413PayloadTooLarge, "The request body is too large.", "$", "exceeds the server's request size limit"),
            BadHttpRequestException bad => ApiProblems.Field(bad.StatusCode, "The request is invalid.", "$", bad.Message),
            JsonException json => ApiProblems.BadRequest(JsonBody.Describe(json).Field, JsonBody.Describe(json).Message),
            MessageTooLargeException tooLarge => ApiProblems.Field(StatusCodes.Status413PayloadTooLarge, "The event is too large.", "$.data", tooLarge.Message),
            ConcurrencyException => ApiProblems.Field(StatusCodes.Status409Conflict, "The resource changed while the request ran.", "$", "try again"),
            _ => null,
        };

        if (problem is null)
        {
            if (exception is OperationCanceledException && httpContext.RequestAborted.IsCancellationRequested)
            {
                return true;
            }

            LogUnhandled(logger, exception, httpContext.Request.Method, httpContext.Request.Path);
            return false;
        }

        await problem.ExecuteAsync(httpContext);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error on {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, string path);
}

using JourneyFunctions.Api;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace JourneyFunctions.FunctionApp;

/// <summary>
/// Gives HTTP functions the built-in host's error contract: an exception that means bad input (a
/// RequestValidationException listing every field, malformed JSON, an event too large for the queue, a lost ETag race)
/// becomes the same problem+json the built-in host answers, through its <see cref="ApiExceptionHandler"/>. Anything
/// else propagates: the Functions host logs it and answers 500. Non-HTTP functions pass straight through.
/// </summary>
public sealed class HttpProblemMiddleware(ApiExceptionHandler handler) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        try
        {
            await next(context);
        }
        catch (Exception e) when (context.GetHttpContext() is { } http && !http.Response.HasStarted)
        {
            var cause = e is AggregateException { InnerExceptions.Count: 1 } aggregate ? aggregate.InnerExceptions[0] : e;
            if (!await handler.TryHandleAsync(http, cause, http.RequestAborted))
            {
                throw;
            }
        }
    }
}

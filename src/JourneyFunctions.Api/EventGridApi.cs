using JourneyFunctions.Infrastructure.EventGrid;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace JourneyFunctions.Api;

/// <summary>
/// What <c>POST /api/eventgrid</c> did with a delivery of ACS reports. <c>Unmatched</c> (no email of this
/// installation has the message id) and <c>Mismatched</c> (the recipient is not the address that email went to) were
/// ignored and logged; <c>Ignored</c> counts events of other types.
/// </summary>
public sealed record EventGridProcessed(int Delivered, int Bounced, int Suppressed, int Engagements, int Unmatched, int Mismatched, int Ignored);

/// <summary>
/// The Event Grid webhook for ACS email delivery and engagement reports. Event Grid cannot easily send custom
/// headers; how the caller is authenticated is the host's <see cref="IEventGridAuthenticator"/>. It answers both handshakes: the Event Grid schema's subscription validation
/// event (echo the code as <c>validationResponse</c>) and the CloudEvents abuse-protection OPTIONS request (allow the
/// origin). Reports go to <see cref="AcsReportProcessor"/>, which makes Event Grid's redeliveries harmless.
/// </summary>
public static class EventGridApi
{
    public static IEndpointRouteBuilder MapEventGridApi(this IEndpointRouteBuilder app)
    {
        app.MapApiRoute(ApiRoutes.EventGridHandshake, Handshake);
        app.MapApiRoute(ApiRoutes.EventGridReports, ReceiveAsync);
        return app;
    }

    public static async Task<Results<Ok, ProblemHttpResult>> Handshake(HttpContext context, IEventGridAuthenticator authenticator)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(authenticator);
        if (await authenticator.AuthenticateAsync(context.Request, context.RequestAborted) is { } problem)
        {
            return problem;
        }

        var origin = context.Request.Headers["WebHook-Request-Origin"].ToString();
        if (origin.Length == 0)
        {
            return ApiProblems.BadRequest("WebHook-Request-Origin", "is required for the CloudEvents webhook handshake");
        }

        // Echoed in a response header: only a host name (printable ASCII, no separators) may go back, or Kestrel
        // would refuse to write the header and the handshake would end in a 500.
        if (!IsOriginHost(origin))
        {
            return ApiProblems.BadRequest("WebHook-Request-Origin", "must be a host name such as eventgrid.azure.net (ASCII letters, digits, '.', '-' and ':')");
        }

        context.Response.Headers["WebHook-Allowed-Origin"] = origin;
        context.Response.Headers["WebHook-Allowed-Rate"] = "*";
        return TypedResults.Ok();
    }

    /// <summary>A CloudEvents webhook origin: a DNS host name, optionally with a port, at most 255 characters.</summary>
    private static bool IsOriginHost(string origin) =>
        origin.Length <= 255 && origin.All(c => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '.' or '-' or ':');

    public static async Task<Results<Ok<EventGridProcessed>, ContentHttpResult, ProblemHttpResult>> ReceiveAsync(
        HttpRequest request,
        IEventGridAuthenticator authenticator,
        AcsReportProcessor processor,
        IOptions<ApiOptions> options,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(authenticator);
        if (await authenticator.AuthenticateAsync(request, cancellationToken) is { } refused)
        {
            return refused;
        }

        var (body, problem) = await JsonBody.ReadBytesAsync(request, options.Value.MaxEventBodyBytes, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        if (JsonBody.FirstToken(body) is not (System.Text.Json.JsonTokenType.StartArray or System.Text.Json.JsonTokenType.StartObject))
        {
            var (_, malformed) = JsonBody.Deserialize<object>(body);
            return malformed ?? ApiProblems.BadRequest("$", "must be an array of Event Grid events or a CloudEvent object");
        }

        AcsReportBatch batch;
        try
        {
            batch = AcsReportParser.Parse(BinaryData.FromBytes(body!));
        }
        catch (FormatException ex)
        {
            return ApiProblems.BadRequest("$", $"is not an Event Grid delivery (Event Grid or CloudEvents schema): {ex.Message}");
        }
        catch (System.Text.Json.JsonException ex)
        {
            var (field, message) = JsonBody.Describe(ex);
            return ApiProblems.BadRequest(field, message);
        }

        if (batch.ValidationResponse is { } validation)
        {
            return TypedResults.Content(validation, "application/json");
        }

        var outcome = await processor.ProcessAsync(batch.Reports, cancellationToken);
        return TypedResults.Ok(new EventGridProcessed(outcome.Delivered, outcome.Bounced, outcome.Suppressed, outcome.Engagements, outcome.Unmatched, outcome.Mismatched, batch.Ignored));
    }
}

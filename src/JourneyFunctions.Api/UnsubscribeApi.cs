using System.Net;
using System.Security.Cryptography;
using System.Text;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Security;
using JourneyFunctions.Core.Services;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Primitives;

namespace JourneyFunctions.Api;

/// <summary>
/// One-click unsubscribe (RFC 8058). The link in every marketing email holds a signed token naming the contact; it is
/// the only authorisation (no API key). GET shows a confirmation page and changes nothing, because mail scanners and
/// link previews follow links; POST (the page's button, or a mailbox provider's one-click POST with the body
/// <c>List-Unsubscribe=One-Click</c>) unsubscribes: consent withdrawn, address suppressed, marketing runs ended.
/// </summary>
public static class UnsubscribeApi
{
    /// <summary>Largest accepted one-click body; RFC 8058's is 26 bytes.</summary>
    public const int MaxBodyBytes = 8 * 1024;

    /// <summary>The consent source recorded when a contact unsubscribes through a link (a withdrawal by the contact).</summary>
    public const string UnsubscribeSource = "unsubscribe-link";

    private const string Style =
        "body { font-family: system-ui, sans-serif; max-width: 32rem; margin: 4rem auto; padding: 0 1rem; color: #222; } "
        + "button { font-size: 1rem; padding: .6rem 1.4rem; border: 0; border-radius: .3rem; background: #222; color: #fff; cursor: pointer; } "
        + ".small { color: #666; font-size: .85rem; }";

    /// <summary>Nothing but the page's own style and a form posting back to this host.</summary>
    public static readonly string ContentSecurityPolicy =
        $"default-src 'none'; style-src 'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(Style)))}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static IEndpointRouteBuilder MapUnsubscribeApi(this IEndpointRouteBuilder app)
    {
        app.MapApiRoute(ApiRoutes.UnsubscribePage, ConfirmPage);
        app.MapApiRoute(ApiRoutes.Unsubscribe, UnsubscribeAsync);
        return app;
    }

    public static Results<ContentHttpResult, ProblemHttpResult> ConfirmPage(HttpRequest request, UnsubscribeTokens tokens)
    {
        ArgumentNullException.ThrowIfNull(request);
        SecureResponse(request.HttpContext.Response);
        var token = request.Query["token"].ToString();
        if (Verify(tokens, token) is { } problem)
        {
            return problem;
        }

        var action = "/api/unsubscribe?token=" + Uri.EscapeDataString(token);
        var body = $"""
            <p>Do you want to stop receiving marketing email from us?</p>
            <form method="post" action="{WebUtility.HtmlEncode(action)}">
              <input type="hidden" name="List-Unsubscribe" value="One-Click">
              <button type="submit">Unsubscribe</button>
            </form>
            <p class="small">Transactional email about your orders is not affected.</p>
            """;
        return TypedResults.Content(Page("Unsubscribe", body), "text/html; charset=utf-8");
    }

    public static async Task<Results<ContentHttpResult, ProblemHttpResult>> UnsubscribeAsync(
        HttpRequest request,
        UnsubscribeTokens tokens,
        ContactService contacts,
        IRunDispatcher dispatcher,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        SecureResponse(request.HttpContext.Response);
        var (body, tooLarge) = await JsonBody.ReadLimitedAsync(request, MaxBodyBytes, cancellationToken);
        if (tooLarge)
        {
            return ApiProblems.TooLarge("$", MaxBodyBytes);
        }

        var token = request.Query["token"].ToString();
        if (token.Length == 0 && IsForm(request) && FormValue(body, "token") is { Length: > 0 } fromForm)
        {
            token = fromForm;
        }

        if (Verify(tokens, token, out var claims) is { } problem)
        {
            return problem;
        }

        await contacts.UnsubscribeAsync(claims!.ContactId, UnsubscribeSource, dispatcher, cancellationToken);
        const string done = "You are unsubscribed. You will not receive marketing email from us any more.";
        var acceptsHtml = request.Headers.Accept.ToString().Contains("text/html", StringComparison.OrdinalIgnoreCase);
        return acceptsHtml
            ? TypedResults.Content(Page("Unsubscribed", $"<p>{done}</p>"), "text/html; charset=utf-8")
            : TypedResults.Text(done, "text/plain; charset=utf-8");
    }

    private static ProblemHttpResult? Verify(UnsubscribeTokens tokens, string token) => Verify(tokens, token, out _);

    private static ProblemHttpResult? Verify(UnsubscribeTokens tokens, string token, out UnsubscribeClaims? claims)
    {
        claims = null;
        if (string.IsNullOrWhiteSpace(token))
        {
            return ApiProblems.BadRequest("token", "is required: use the link from the email");
        }

        if (!tokens.TryVerify(token, out var verified))
        {
            return ApiProblems.Field(StatusCodes.Status403Forbidden, "The unsubscribe link is not valid.", "token", "is not a valid unsubscribe token (altered, or signed with a key that is no longer accepted)");
        }

        if (!string.Equals(verified.Scope, UnsubscribeScopes.Marketing, StringComparison.Ordinal))
        {
            // The host issues only marketing links; a token of another scope must not be read as "all marketing".
            return ApiProblems.Field(StatusCodes.Status403Forbidden, "The unsubscribe link is not valid.", "token", "names a scope this host does not unsubscribe from");
        }

        claims = verified;
        return null;
    }

    /// <summary>
    /// The page holds a token that acts on the contact's consent: no script, no framing (clickjacking), no caching
    /// (a shared proxy or the back button), no referrer (the token is in the URL). The one inline style is allowed by
    /// its hash.
    /// </summary>
    private static void SecureResponse(HttpResponse response)
    {
        response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        response.Headers.XFrameOptions = "DENY";
        response.Headers.CacheControl = "no-store";
        response.Headers.Pragma = "no-cache";
        response.Headers["Referrer-Policy"] = "no-referrer";
        response.Headers.XContentTypeOptions = "nosniff";
    }

    private static bool IsForm(HttpRequest request) =>
        request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) == true;

    private static string? FormValue(byte[] body, string name)
    {
        var form = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(Encoding.UTF8.GetString(body));
        return form.TryGetValue(name, out StringValues value) ? value.ToString() : null;
    }

    private static string Page(string title, string body) => $$"""
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <meta name="viewport" content="width=device-width, initial-scale=1">
          <meta name="robots" content="noindex">
          <title>{{WebUtility.HtmlEncode(title)}}</title>
          <style>{{Style}}</style>
        </head>
        <body>
          <h1>{{WebUtility.HtmlEncode(title)}}</h1>
          {{body}}
        </body>
        </html>
        """;
}

using System.Reflection;
using System.Text.Json;
using JourneyFunctions.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace JourneyFunctions.Dashboard;

/// <summary>The body of <c>POST /api/session</c>.</summary>
public sealed record SessionSignIn(string? ApiKey);

/// <summary>The answer to a sign-in (and to <c>GET /api/session</c>): the CSRF token to send on every change.</summary>
public sealed record SessionInfo(string CsrfToken, DateTimeOffset ExpiresAt);

/// <summary>
/// Serves the dashboard page at <c>/</c> (its script and styles below <c>/dashboard/</c>, embedded in this assembly)
/// and the sign-in of the built-in host: <c>POST /api/session</c> with the API key sets the session cookie,
/// <c>GET /api/session</c> tells the page whether it is signed in (and its CSRF token after a reload),
/// <c>DELETE /api/session</c> signs out. These routes are the built-in host's own: in Azure the dashboard signs in with
/// Entra ID through App Service authentication (docs/dashboard.md), so they are not rows of <see cref="ApiRoutes"/>.
/// </summary>
public static class DashboardEndpoints
{
    public const string SessionPath = "/api/session";

    /// <summary>
    /// The page's Content-Security-Policy: its own script and styles only, no inline script, no other origin. Email
    /// previews sit in sandboxed <c>srcdoc</c> frames (no script runs there); their inline styles need 'unsafe-inline'
    /// for styles, and their remote images (a storefront's logo) need https images.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; frame-src 'self'; " +
        "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private const int MaxSignInBodyBytes = 4096;

    private static readonly Assembly Assets = typeof(DashboardEndpoints).Assembly;

    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
    };

    /// <summary>Registers the session store the sign-in and the API's credential check share.</summary>
    public static IServiceCollection AddJourneyDashboard(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<DashboardSessions>();
        services.TryAddSingleton<DashboardSignInLimiter>();
        return services;
    }

    /// <summary>Maps the page and the session routes; <paramref name="isApiKey"/> checks the key a sign-in presents.</summary>
    public static IEndpointRouteBuilder MapJourneyDashboard(this IEndpointRouteBuilder app, Func<string?, bool> isApiKey)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(isApiKey);
        app.MapGet("/", (HttpContext context) => Asset(context, "index.html")).WithName("DashboardPage").ExcludeFromDescription();
        app.MapGet("/dashboard/{file}", (string file, HttpContext context) => Asset(context, file)).WithName("DashboardAsset").ExcludeFromDescription();
        app.MapPost(SessionPath, (HttpContext context, DashboardSessions sessions, DashboardSignInLimiter limiter, CancellationToken ct) => SignInAsync(context, sessions, limiter, isApiKey, ct))
            .WithName("DashboardSignIn").ExcludeFromDescription();
        app.MapGet(SessionPath, (HttpContext context, DashboardSessions sessions) => Current(context, sessions)).WithName("DashboardSession").ExcludeFromDescription();
        app.MapDelete(SessionPath, (HttpContext context, DashboardSessions sessions) =>
        {
            sessions.SignOut(context);
            context.Response.Headers.CacheControl = "no-store";
            return TypedResults.NoContent();
        }).WithName("DashboardSignOut").ExcludeFromDescription();
        app.MapDashboardOutbox();
        return app;
    }

    /// <summary>
    /// Exchanges the API key for a session: 200 with the CSRF token and the cookie set, 401 on a wrong key (the same
    /// answer whatever is wrong with it), 429 with <c>Retry-After</c> once the client address has had
    /// <see cref="DashboardSignInLimiter.MaxFailures"/> wrong keys within a minute (the key is then not even compared).
    /// </summary>
    public static async Task<Results<Ok<SessionInfo>, ProblemHttpResult>> SignInAsync(
        HttpContext context, DashboardSessions sessions, DashboardSignInLimiter limiter, Func<string?, bool> isApiKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(sessions);
        ArgumentNullException.ThrowIfNull(limiter);
        ArgumentNullException.ThrowIfNull(isApiKey);
        context.Response.Headers.CacheControl = "no-store";
        var client = context.Connection.RemoteIpAddress;
        if (limiter.RetryAfter(client) is { } wait)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
            context.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return ApiProblems.Field(
                StatusCodes.Status429TooManyRequests,
                "Too many sign-in attempts.",
                "$.apiKey",
                $"{DashboardSignInLimiter.MaxFailures} wrong keys within a minute from this address: try again in {seconds} s");
        }
        var (body, problem) = await JsonBody.ReadBytesAsync(context.Request, MaxSignInBodyBytes, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var (signIn, invalid) = JsonBody.Deserialize<SessionSignIn>(body);
        if (invalid is not null)
        {
            return invalid;
        }

        if (string.IsNullOrEmpty(signIn!.ApiKey))
        {
            return ApiProblems.BadRequest("$.apiKey", "is required: the host's API key (the serve banner shows the Development one)");
        }

        if (!isApiKey(signIn.ApiKey))
        {
            limiter.Failed(client);
            return ApiProblems.Unauthorized("$.apiKey", "is not the API key of this host", "Sign-in refused.");
        }

        limiter.Succeeded(client);

        var session = sessions.SignIn(context);
        return TypedResults.Ok(new SessionInfo(session.CsrfToken, session.ExpiresAt));
    }

    private static Results<Ok<SessionInfo>, ProblemHttpResult> Current(HttpContext context, DashboardSessions sessions)
    {
        context.Response.Headers.CacheControl = "no-store";
        return sessions.Find(context.Request) is { } session
            ? TypedResults.Ok(new SessionInfo(session.CsrfToken, session.ExpiresAt))
            : ApiProblems.Unauthorized("Cookie", "no dashboard session: sign in with the API key", "Not signed in.");
    }

    private static IResult Asset(HttpContext context, string file)
    {
        var extension = Path.GetExtension(file);
        if (!ContentTypes.TryGetValue(extension, out var contentType) || Assets.GetManifestResourceStream("dashboard/" + file) is not { } stream)
        {
            return ApiProblems.NotFound("Dashboard file", "file", $"no dashboard file '{file}'");
        }

        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        // The files change with every build of the host and are small: always revalidate rather than serve a stale page.
        headers.CacheControl = "no-cache";
        return TypedResults.Stream(stream, contentType);
    }
}

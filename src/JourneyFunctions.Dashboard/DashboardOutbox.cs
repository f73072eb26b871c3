using System.Text.RegularExpressions;
using JourneyFunctions.Api;
using JourneyFunctions.Infrastructure.Email;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using MimeKit;

namespace JourneyFunctions.Dashboard;

/// <summary>One email of the outbox folder, as the list shows it.</summary>
public sealed record OutboxEntry(string File, DateTimeOffset Date, string To, string Subject);

/// <summary>One email of the outbox folder, whole: what a mail client would show.</summary>
public sealed record OutboxEmail(string File, DateTimeOffset Date, string To, string Subject, string Html, string Text, IReadOnlyDictionary<string, string> Headers);

/// <summary>
/// <c>GET /api/outbox</c> and <c>GET /api/outbox/{file}</c>: the .eml files the built-in host's outbox sender wrote,
/// listed (newest first, at most 200) and read, for the dashboard's Email preview page. Mapped only when the host
/// sends to the outbox (the local default), never with ACS or SMTP; they need the API key or the session like every
/// admin route.
/// </summary>
public static partial class DashboardOutbox
{
    public const int MaxListed = 200;

    private static readonly ApiRoute ListRoute = new("ListOutbox", ApiRoutes.Methods.Get, "outbox", ApiAccess.ApiKey, "Dashboard",
        "The outbox's emails, newest first (built-in host with the outbox sender only).");

    private static readonly ApiRoute GetRoute = new("GetOutboxEmail", ApiRoutes.Methods.Get, "outbox/{file}", ApiAccess.ApiKey, "Dashboard",
        "One outbox email: headers, HTML and text (built-in host with the outbox sender only).");

    /// <summary>True when the host's email provider is the outbox (no provider configured, or "Outbox").</summary>
    public static bool SendsToOutbox(IConfiguration configuration) =>
        configuration?["Email:Provider"] is not { Length: > 0 } provider || provider.Equals("Outbox", StringComparison.OrdinalIgnoreCase);

    public static IEndpointRouteBuilder MapDashboardOutbox(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (!SendsToOutbox(app.ServiceProvider.GetRequiredService<IConfiguration>()))
        {
            return app;
        }

        app.MapGet(ListRoute.Path, (IOptions<OutboxEmailOptions> options) => TypedResults.Ok(List(options.Value.Directory)))
            .WithName(ListRoute.Name).WithMetadata(ListRoute).ExcludeFromDescription();
        app.MapGet(GetRoute.Path, (string file, IOptions<OutboxEmailOptions> options) => Read(options.Value.Directory, file))
            .WithName(GetRoute.Name).WithMetadata(GetRoute).ExcludeFromDescription();
        return app;
    }

    public static IReadOnlyList<OutboxEntry> List(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return [];
        }

        var entries = new List<OutboxEntry>();
        foreach (var path in Directory.EnumerateFiles(directory, "*.eml").Order(StringComparer.Ordinal).Reverse().Take(MaxListed))
        {
            try
            {
                var message = MimeMessage.Load(path);
                entries.Add(new OutboxEntry(Path.GetFileName(path), message.Date, message.To.ToString(), message.Subject ?? string.Empty));
            }
            catch (IOException)
            {
                // A file being written right now: it is listed on the next refresh.
            }
            catch (FormatException)
            {
                // Not a message (a stray file): not listed.
            }
        }

        return entries;
    }

    public static Results<Ok<OutboxEmail>, ProblemHttpResult> Read(string directory, string file)
    {
        if (!FileName().IsMatch(file ?? string.Empty))
        {
            return ApiProblems.BadRequest("file", "is not an outbox file name (letters, digits, '-', '_', '.', ending in .eml)");
        }

        var path = Path.Combine(directory, file!);
        if (!File.Exists(path))
        {
            return ApiProblems.NotFound("Outbox email", "file", $"no email '{file}' in the outbox");
        }

        var message = MimeMessage.Load(path);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in message.Headers)
        {
            if (header.Field is "Content-Type" or "Content-Transfer-Encoding" or "MIME-Version")
            {
                continue;
            }

            headers[header.Field] = headers.TryGetValue(header.Field, out var earlier) ? earlier + ", " + header.Value : header.Value;
        }

        return TypedResults.Ok(new OutboxEmail(file!, message.Date, message.To.ToString(), message.Subject ?? string.Empty,
            message.HtmlBody ?? string.Empty, message.TextBody ?? string.Empty, headers));
    }

    [GeneratedRegex(@"^[A-Za-z0-9_\-.]{1,200}\.eml$")]
    private static partial Regex FileName();
}

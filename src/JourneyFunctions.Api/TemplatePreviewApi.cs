using System.Globalization;
using System.Text.Json;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Services;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace JourneyFunctions.Api;

/// <summary>
/// The body of a preview: a stored contact (<see cref="ContactId"/>) or sample data (<see cref="Email"/>,
/// <see cref="Fields"/>, <see cref="Tags"/>), the <see cref="Trigger"/> event data the email would see, and
/// <see cref="JourneyId"/> for the <c>journey</c> variables. Everything is optional.
/// </summary>
public sealed record TemplatePreviewRequest
{
    public string? ContactId { get; init; }

    public string? Email { get; init; }

    public IReadOnlyDictionary<string, JsonElement>? Fields { get; init; }

    public IReadOnlyList<string>? Tags { get; init; }

    public JsonElement? Trigger { get; init; }

    public string? JourneyId { get; init; }

    /// <summary>False for a transactional email (no unsubscribe headers); default true, like an email step.</summary>
    public bool? Marketing { get; init; }
}

/// <summary>A rendered template: what the contact would get, with the headers the sender adds.</summary>
public sealed record TemplatePreview(string Template, string Subject, string Html, string Text, IReadOnlyDictionary<string, string> Headers);

/// <summary>
/// <c>POST /api/templates/{id}/preview</c>: renders a template with the renderer the senders use, for a stored contact
/// or sample data, and lists the headers a send would carry (From, To, Subject, <c>List-Unsubscribe</c> and
/// <c>List-Unsubscribe-Post</c> for marketing). Nothing is sent or stored.
/// </summary>
public static class TemplatePreviewApi
{
    public const string SampleContactId = "preview-contact";

    public static IEndpointRouteBuilder MapTemplatePreviewApi(this IEndpointRouteBuilder app)
    {
        app.MapApiRoute(ApiRoutes.PreviewTemplate, PreviewAsync);
        return app;
    }

    public static async Task<Results<Ok<TemplatePreview>, ProblemHttpResult>> PreviewAsync(
        string id,
        HttpRequest request,
        ITemplateRenderer templates,
        IContactStore contacts,
        IJourneyStore journeys,
        IUnsubscribeUrlBuilder unsubscribeUrls,
        IOptions<SendingOptions> sending,
        IOptions<ApiOptions> options,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(templates);
        ArgumentNullException.ThrowIfNull(contacts);
        ArgumentNullException.ThrowIfNull(journeys);
        ArgumentNullException.ThrowIfNull(unsubscribeUrls);
        ArgumentNullException.ThrowIfNull(sending);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        if (ApiIds.Check(id) is { } invalidId)
        {
            return invalidId;
        }

        if (!templates.Exists(id))
        {
            return ApiProblems.NotFound("Template", "id", $"no template '{id}' (a folder under templates/ with subject.liquid and body.html.liquid)");
        }

        var (body, problem) = await JsonBody.ReadBytesAsync(request, options.Value.MaxEventBodyBytes, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        var preview = new TemplatePreviewRequest();
        if (body is { Length: > 0 })
        {
            var (parsed, invalid) = JsonBody.Deserialize<TemplatePreviewRequest>(body);
            if (invalid is not null)
            {
                return invalid;
            }

            preview = parsed ?? preview;
        }

        Contact contact;
        if (preview.ContactId is { } contactId)
        {
            if (ApiIds.Check(contactId) is not null)
            {
                return ApiProblems.BadRequest("$.contactId", "is not a valid contact id");
            }

            var stored = await contacts.GetAsync(contactId, cancellationToken);
            if (stored is null)
            {
                return ApiProblems.NotFound("Contact", "$.contactId", $"no contact '{contactId}'");
            }

            contact = stored;
        }
        else
        {
            contact = new Contact
            {
                Id = SampleContactId,
                Email = preview.Email ?? "ana@example.com",
                Fields = preview.Fields ?? new Dictionary<string, JsonElement> { ["firstName"] = JsonSerializer.SerializeToElement("Ana") },
                Tags = new HashSet<string>(preview.Tags ?? [], StringComparer.OrdinalIgnoreCase),
            };
        }

        var journey = preview.JourneyId is { } journeyId ? await journeys.GetAsync(journeyId, null, cancellationToken) : null;
        if (preview.JourneyId is not null && journey is null)
        {
            return ApiProblems.NotFound("Journey", "$.journeyId", $"no journey '{preview.JourneyId}' is published");
        }

        var marketing = preview.Marketing ?? true;
        var unsubscribeUrl = marketing ? unsubscribeUrls.Build(contact.Id, "marketing") : null;
        var model = new TemplateModel
        {
            Variables = new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["contact"] = TemplateModels.ContactView(contact),
                ["trigger"] = preview.Trigger,
                ["event"] = preview.Trigger,
                ["events"] = new Dictionary<string, JsonElement>(StringComparer.Ordinal),
                ["journey"] = new Dictionary<string, object?>
                {
                    ["id"] = journey?.Id ?? "preview",
                    ["name"] = journey?.Name ?? "Preview",
                    ["version"] = journey?.Version ?? 1,
                },
                ["step"] = new Dictionary<string, object?> { ["id"] = "preview" },
                ["unsubscribe_url"] = unsubscribeUrl,
                ["now"] = time.GetUtcNow(),
            },
        };

        RenderedEmail rendered;
        try
        {
            rendered = await templates.RenderAsync(id, model, cancellationToken);
        }
        catch (TemplateRenderException ex)
        {
            return ApiProblems.Field(StatusCodes.Status422UnprocessableEntity, "The template cannot be rendered for this data.", "id", ex.Message);
        }

        var from = sending.Value;
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["From"] = from.FromName is { Length: > 0 } name ? $"{name} <{from.FromAddress}>" : from.FromAddress,
            ["To"] = contact.Email ?? string.Empty,
            ["Subject"] = rendered.Subject,
        };
        if (!string.IsNullOrWhiteSpace(from.ReplyTo))
        {
            headers["Reply-To"] = from.ReplyTo;
        }

        if (unsubscribeUrl is not null)
        {
            headers["List-Unsubscribe"] = string.Create(CultureInfo.InvariantCulture, $"<{unsubscribeUrl}>");
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click";
        }

        return TypedResults.Ok(new TemplatePreview(id, rendered.Subject, rendered.Html, rendered.Text, headers));
    }
}

using System.Text.Json;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Model;
using JourneyFunctions.Core.Ports;

namespace JourneyFunctions.Core.Services;

/// <summary>
/// The variables an email template (or a webhook body) sees: <c>contact</c> (id, email, timeZone, tags and every
/// field), <c>trigger</c>, <c>event</c>, <c>events.&lt;stepId&gt;</c>, <c>journey</c> (id, name, version),
/// <c>step</c> (id), <c>unsubscribe_url</c> and <c>now</c>. JSON values stay <see cref="JsonElement"/>s: the
/// renderer turns them into Liquid values.
/// </summary>
public static class TemplateModels
{
    /// <summary>The variable roots a journey provides; validation reports any other root a template uses.</summary>
    public static IReadOnlyList<string> Roots { get; } = ["contact", "trigger", "event", "events", "journey", "step", "unsubscribe_url", "now"];

    public static TemplateModel Build(Contact contact, JourneyDefinition journey, string stepId, RunData data, string? unsubscribeUrl, DateTimeOffset now) => new()
    {
        Variables = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["contact"] = ContactView(contact),
            ["trigger"] = data.Trigger,
            ["event"] = data.Event,
            ["events"] = data.Events,
            ["journey"] = new Dictionary<string, object?> { ["id"] = journey.Id, ["name"] = journey.Name, ["version"] = journey.Version ?? 1 },
            ["step"] = new Dictionary<string, object?> { ["id"] = stepId },
            ["unsubscribe_url"] = unsubscribeUrl,
            ["now"] = now,
        },
    };

    /// <summary>The contact as templates and webhooks see it: fields at the top level next to id, email, timeZone, tags.</summary>
    public static Dictionary<string, object?> ContactView(Contact contact)
    {
        var view = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, value) in contact.Fields)
        {
            view[name] = value;
        }

        view["id"] = contact.Id;
        view["email"] = contact.Email;
        view["timeZone"] = contact.TimeZone;
        view["tags"] = contact.Tags.Order(StringComparer.OrdinalIgnoreCase).ToArray();
        return view;
    }
}

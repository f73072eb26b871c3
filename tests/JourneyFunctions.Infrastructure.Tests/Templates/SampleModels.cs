using System.Text.Json;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Model;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Services;
using JourneyFunctions.Infrastructure.Tests.Fixtures;

namespace JourneyFunctions.Infrastructure.Tests.Templates;

/// <summary>Template models shaped like the ones the send service builds, and the repository's templates folder.</summary>
internal static class SampleModels
{
    public const string UnsubscribeUrl = "https://shop.example/api/unsubscribe?token=abc.def&v=1";

    public static string TemplatesDirectory { get; } = FindTemplates();

    public static Contact Contact(string? firstName = "Ann") => new()
    {
        Id = "c-1",
        Email = "ann@example.com",
        TimeZone = "Europe/Madrid",
        Fields = firstName is null
            ? new Dictionary<string, JsonElement>()
            : new Dictionary<string, JsonElement> { ["firstName"] = JsonSerializer.SerializeToElement(firstName), ["loyaltyPoints"] = JsonSerializer.SerializeToElement(120) },
        Tags = new HashSet<string>(["vip", "newsletter"], StringComparer.OrdinalIgnoreCase),
    };

    public static JsonElement Cart() => JsonDocument.Parse("""
        {
          "cartId": "cart-42",
          "currency": "EUR",
          "total": 110.48,
          "cartUrl": "https://shop.example/cart/cart-42?utm_source=email&utm_medium=journey",
          "items": [
            { "sku": "MUG-01", "name": "Enamel mug", "quantity": 2, "price": 19.99, "imageUrl": "https://cdn.example/mug.jpg" },
            { "sku": "PAN-10", "name": "Cast iron pan", "quantity": 1, "price": 45.00, "imageUrl": "https://cdn.example/pan.jpg" },
            { "sku": "TEA-03", "name": "Tea towels & cloths", "quantity": 3, "price": 8.50, "imageUrl": "https://cdn.example/towel.jpg" }
          ]
        }
        """).RootElement.Clone();

    public static JsonElement Order() => JsonDocument.Parse("""
        {
          "orderId": "NW-1001",
          "currency": "USD",
          "reviewUrl": "https://shop.example/orders/NW-1001/review",
          "items": [
            { "sku": "PACK-2", "name": "Trail pack 24L", "quantity": 1, "price": 89.00, "imageUrl": "https://cdn.example/pack.jpg" },
            { "sku": "BOT-1", "name": "Steel bottle", "quantity": 2, "price": 24.50 }
          ]
        }
        """).RootElement.Clone();

    /// <summary>The model exactly as the send service builds it (<see cref="TemplateModels.Build"/>).</summary>
    public static TemplateModel Model(string template, Contact? contact = null, JsonElement? trigger = null, IReadOnlyDictionary<string, JsonElement>? events = null)
    {
        var journey = new JourneyDefinition
        {
            Id = "sample",
            Name = "Sample journey",
            Version = 3,
            Trigger = new Trigger { Event = "cart.updated" },
            Steps = [new EmailStep { Id = "email-1", Template = template }],
        };
        var data = new RunData
        {
            Trigger = trigger ?? (template.StartsWith("cart", StringComparison.Ordinal) ? Cart() : template.StartsWith("review", StringComparison.Ordinal) ? Order() : null),
            Events = events ?? new Dictionary<string, JsonElement>(),
        };
        return TemplateModels.Build(contact ?? Contact(), journey, "email-1", data, UnsubscribeUrl, new DateTimeOffset(2026, 11, 23, 9, 30, 0, TimeSpan.Zero));
    }

    private static string FindTemplates() => Path.Combine(RepoPaths.RepoRoot, "templates");
}

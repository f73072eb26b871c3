using System.Text.Json;
using BenchmarkDotNet.Attributes;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Engine;
using JourneyFunctions.Core.Model;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Services;
using JourneyFunctions.Infrastructure.Templates;

namespace JourneyFunctions.Benchmarks;

/// <summary>
/// One whole email render (subject, HTML body, text part) of the repository's sample templates with the model the
/// send service builds, on one renderer kept warm as a host keeps it: <c>cart-reminder-1</c> includes four partials,
/// one of them (<c>items</c>) looping over three cart lines; <c>welcome</c> has its own text body. Run:
/// <c>dotnet run -c Release --project bench/JourneyFunctions.Benchmarks -- --filter '*Template*' --job short</c>.
/// </summary>
[MemoryDiagnoser]
public class TemplateBenchmarks
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 10, 0, 0, TimeSpan.Zero);

    private LiquidTemplateRenderer _renderer = null!;
    private TemplateModel _cartModel = null!;
    private TemplateModel _welcomeModel = null!;

    [GlobalSetup]
    public void Setup()
    {
        _renderer = new LiquidTemplateRenderer(FindTemplates());
        var contact = new Contact
        {
            Id = "ana",
            Email = "ana@example.com",
            TimeZone = "Europe/Madrid",
            Tags = new HashSet<string>(["newsletter", "vip"], StringComparer.OrdinalIgnoreCase),
            Fields = new Dictionary<string, JsonElement> { ["firstName"] = JsonSerializer.SerializeToElement("Ana") },
        };
        var cart = JsonDocument.Parse("""
            {
              "cartId": "cart-42", "currency": "EUR", "total": 110.48,
              "cartUrl": "https://shop.example/cart/cart-42?utm_source=email&utm_medium=journey",
              "items": [
                { "sku": "MUG-01", "name": "Enamel mug", "quantity": 2, "price": 19.99, "imageUrl": "https://cdn.example/mug.jpg" },
                { "sku": "PAN-10", "name": "Cast iron pan", "quantity": 1, "price": 45.00, "imageUrl": "https://cdn.example/pan.jpg" },
                { "sku": "TEA-03", "name": "Tea towels & cloths", "quantity": 3, "price": 8.50, "imageUrl": "https://cdn.example/towel.jpg" }
              ]
            }
            """).RootElement.Clone();
        _cartModel = Model(contact, "cart-reminder-1", cart);
        _welcomeModel = Model(contact, "welcome", null);

        // Fail here, not in a measured call, if the sample templates do not render.
        _ = CartReminderWithPartials();
        _ = Welcome();
    }

    [Benchmark]
    public int CartReminderWithPartials() => _renderer.RenderAsync("cart-reminder-1", _cartModel).GetAwaiter().GetResult().Html.Length;

    [Benchmark]
    public int Welcome() => _renderer.RenderAsync("welcome", _welcomeModel).GetAwaiter().GetResult().Html.Length;

    private static TemplateModel Model(Contact contact, string template, JsonElement? trigger)
    {
        var journey = new JourneyDefinition
        {
            Id = "bench",
            Name = "Bench journey",
            Version = 1,
            Trigger = new Trigger { Event = "cart.updated" },
            Steps = [new EmailStep { Id = "email-1", Template = template }],
        };
        var data = new RunData { Trigger = trigger, Events = new Dictionary<string, JsonElement>() };
        return TemplateModels.Build(contact, journey, "email-1", data, "https://shop.example/api/unsubscribe?token=abc", Now);
    }

    /// <summary>The repository's templates folder, found upwards from where BenchmarkDotNet runs the build, else from the current directory.</summary>
    internal static string FindTemplates()
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "JourneyFunctions.sln")) && System.IO.Directory.Exists(Path.Combine(directory.FullName, "templates", "_partials")))
                {
                    return Path.Combine(directory.FullName, "templates");
                }
            }
        }

        throw new DirectoryNotFoundException("The repository's templates folder was not found above " + AppContext.BaseDirectory + " or " + Environment.CurrentDirectory);
    }
}

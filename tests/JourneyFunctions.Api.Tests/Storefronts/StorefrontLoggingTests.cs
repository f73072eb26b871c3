using System.Collections.Concurrent;
using JourneyFunctions.Host.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace JourneyFunctions.Api.Tests.Storefronts;

/// <summary>What the storefront webhooks write to the log: an unmapped topic once, and never a secret or an address.</summary>
public sealed class StorefrontLoggingTests
{
    [Fact]
    public async Task Webhooks_UnknownTopicLoggedOnce_AndNoSecretOrAddressEverLogged()
    {
        var sink = new CapturingLoggerProvider();
        var settings = new Dictionary<string, string?>(StorefrontWebhooks.Settings)
        {
            ["Logging:LogLevel:Default"] = "Debug",
            ["Logging:LogLevel:Microsoft"] = "Warning",
        };
        await using var host = await TestHost.StartAsync(settings, services: s => s.AddSingleton<ILoggerProvider>(sink));
        var webhooks = new StorefrontWebhooks(host);
        const string email = "private.person@example.com";

        using var a = await webhooks.ShopifyAsync("products/update", """{ "id": 1 }""");
        using var b = await webhooks.ShopifyAsync("products/update", """{ "id": 2 }""");
        using var c = await webhooks.ShopifyAsync("inventory_levels/update", """{ "inventory_item_id": 3 }""");
        using var bad = await webhooks.ShopifyAsync("checkouts/update", ShopifyPayloads.Checkout(email, "tok-log"), signature: StorefrontWebhooks.Sign("{}", StorefrontWebhooks.ShopSecret));
        using var ok = await webhooks.ShopifyAsync("checkouts/update", ShopifyPayloads.Checkout(email, "tok-log"));
        using var export = await webhooks.ShopifyAsync("customers/data_request", ShopifyPayloads.DataRequest(email));
        using var woo = await webhooks.WooCommerceAsync("order.created", WooCommercePayloads.Order(email, id: 991));
        await Contacts.WaitForEventAsync(host, email, "order.placed");

        var lines = sink.Lines.ToList();
        Assert.Single(lines, l => l.Contains("products/update", StringComparison.Ordinal) && l.Contains("not mapped", StringComparison.Ordinal));
        Assert.Single(lines, l => l.Contains("inventory_levels/update", StringComparison.Ordinal) && l.Contains("not mapped", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("data request 9999", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains(StorefrontWebhooks.ShopSecret, StringComparison.Ordinal) || l.Contains(StorefrontWebhooks.WooSecret, StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.StartsWith("JourneyFunctions.Api.Storefronts", StringComparison.Ordinal) && l.Contains(email, StringComparison.OrdinalIgnoreCase));
    }

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(categoryName, Lines);

        public void Dispose()
        {
        }

        private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue($"{category}: {formatter(state, exception)}");
        }
    }
}

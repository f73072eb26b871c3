using Azure.Core;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Security;
using JourneyFunctions.Core.Services;
using JourneyFunctions.Infrastructure.Email;
using JourneyFunctions.Infrastructure.EventGrid;
using JourneyFunctions.Infrastructure.Templates;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace JourneyFunctions.Infrastructure.DependencyInjection;

/// <summary>Which <see cref="IEmailSender"/> goes out (configuration <c>Email:Provider</c>).</summary>
public enum EmailProvider
{
    /// <summary>.eml files in a local folder (the embedded default: nothing leaves the machine).</summary>
    Outbox,

    /// <summary>Azure Communication Services Email over its REST API.</summary>
    Acs,

    /// <summary>Any SMTP server, including the ACS SMTP relay.</summary>
    Smtp,
}

/// <summary>Registers email sending, templates, unsubscribe links and ACS report processing.</summary>
public static class EmailServiceCollectionExtensions
{
    public const string ProviderKey = "Email:Provider";

    /// <summary>
    /// Registers, as singletons: the <see cref="IEmailSender"/> chosen by <c>Email:Provider</c> (Outbox, Acs or Smtp;
    /// options in <c>Email:Outbox</c>, <c>Email:Acs</c>, <c>Email:Smtp</c>), <see cref="LiquidTemplateRenderer"/> as
    /// <see cref="ITemplateRenderer"/> and <see cref="ITemplateCatalog"/> (section <c>Templates</c>),
    /// <see cref="UnsubscribeTokens"/> (section <c>Unsubscribe</c>; without keys, a local key file, see
    /// <see cref="LocalUnsubscribeKey"/>) with <see cref="IUnsubscribeUrlBuilder"/>, and <see cref="AcsReportProcessor"/>
    /// (it needs the storage ports of AddJourneyStorage); binds <see cref="SendingOptions"/> (section <c>Sending</c>). For Acs without a connection string, a
    /// <see cref="TokenCredential"/> in the container is used, else DefaultAzureCredential. The provider is read
    /// once here: switching it needs a restart.
    /// </summary>
    public static IServiceCollection AddJourneyEmail(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.AddLogging();

        services.AddOptions<TemplateOptions>().BindConfiguration(TemplateOptions.SectionName);
        services.TryAddSingleton<LiquidTemplateRenderer>();
        services.TryAddSingleton<ITemplateRenderer>(sp => sp.GetRequiredService<LiquidTemplateRenderer>());
        services.TryAddSingleton<ITemplateCatalog>(sp => sp.GetRequiredService<LiquidTemplateRenderer>());

        // The unsubscribe URL builder reads Sending:PublicBaseUrl; binding it again elsewhere is harmless (same values).
        services.AddOptions<SendingOptions>().BindConfiguration(SendingOptions.SectionName);
        services.AddOptions<UnsubscribeTokenOptions>().BindConfiguration(UnsubscribeTokenOptions.SectionName);
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<UnsubscribeTokenOptions>>().Value;
            if (options.Keys.Count == 0)
            {
                var path = configuration[$"{UnsubscribeTokenOptions.SectionName}:LocalKeyPath"] ?? LocalUnsubscribeKey.DefaultPath;
                // In Development the local key is the intended setup (a fresh clone configures nothing): say so quietly.
                // Anywhere else it is a warning: a key on one machine's disk does not survive a move or a scale-out.
                var level = sp.GetService<IHostEnvironment>()?.IsDevelopment() == true ? LogLevel.Information : LogLevel.Warning;
                sp.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(EmailServiceCollectionExtensions))
                    .Log(level, "Unsubscribe:Keys is empty: signing unsubscribe links with the local key in {Path}; configure keys for production", Path.GetFullPath(path));
                options = new UnsubscribeTokenOptions
                {
                    Keys = [new UnsubscribeKey { Id = LocalUnsubscribeKey.KeyId, Secret = LocalUnsubscribeKey.LoadOrCreate(path) }],
                    MaxAge = options.MaxAge,
                };
            }

            return new UnsubscribeTokens(options, sp.GetRequiredService<TimeProvider>());
        });
        services.TryAddSingleton<IUnsubscribeUrlBuilder, UnsubscribeUrlBuilder>();
        services.TryAddSingleton<AcsReportProcessor>();

        var provider = configuration[ProviderKey] is { Length: > 0 } text
            ? Enum.TryParse<EmailProvider>(text, ignoreCase: true, out var parsed)
                ? parsed
                : throw new InvalidOperationException($"{ProviderKey} '{text}' is unknown; use Outbox, Acs or Smtp.")
            : EmailProvider.Outbox;
        switch (provider)
        {
            case EmailProvider.Acs:
                services.AddOptions<AcsEmailOptions>().BindConfiguration(AcsEmailOptions.SectionName);
                services.TryAddSingleton<IEmailSender>(sp => new AcsEmailSender(
                    sp.GetRequiredService<IOptions<AcsEmailOptions>>().Value,
                    sp.GetService<TokenCredential>(),
                    transport: null,
                    sp.GetRequiredService<TimeProvider>()));
                break;
            case EmailProvider.Smtp:
                services.AddOptions<SmtpEmailOptions>().BindConfiguration(SmtpEmailOptions.SectionName);
                services.TryAddSingleton<IEmailSender>(sp => new SmtpEmailSender(sp.GetRequiredService<IOptions<SmtpEmailOptions>>(), sp.GetRequiredService<TimeProvider>()));
                break;
            default:
                services.AddOptions<OutboxEmailOptions>().BindConfiguration(OutboxEmailOptions.SectionName);
                services.TryAddSingleton<IEmailSender>(sp => new OutboxEmailSender(sp.GetRequiredService<IOptions<OutboxEmailOptions>>(), sp.GetRequiredService<TimeProvider>()));
                break;
        }

        return services;
    }
}

using System.Net.Sockets;
using JourneyFunctions.Core.Ports;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;

namespace JourneyFunctions.Infrastructure.Email;

/// <summary>How the SMTP connection is secured.</summary>
public enum SmtpSecurity
{
    /// <summary>STARTTLS, required (port 587; the ACS SMTP relay smtp.azurecomm.net uses it).</summary>
    StartTls,

    /// <summary>TLS from the first byte (port 465).</summary>
    SslOnConnect,

    /// <summary>Plain text: only for a local test server.</summary>
    None,
}

/// <summary>
/// SMTP (configuration section <c>Email:Smtp</c>). For the ACS SMTP relay: Host smtp.azurecomm.net, Port 587,
/// StartTls, UserName the Entra app's SMTP username (or resource|app|tenant form), Password its client secret.
/// </summary>
public sealed class SmtpEmailOptions
{
    public const string SectionName = "Email:Smtp";

    public string Host { get; set; } = string.Empty;

    public int Port { get; set; } = 587;

    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTls;

    public string? UserName { get; set; }

    public string? Password { get; set; }

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// Sends over SMTP with MailKit: multipart/alternative text and HTML, the List-Unsubscribe headers, and a Message-ID
/// derived from the operation id. SMTP has no idempotency key, so a retry after a lost reply can deliver twice; the
/// stable Message-ID lets receivers and support tell. Replies 4xx are transient, 5xx permanent (RFC 5321 4.2.1).
/// </summary>
public sealed class SmtpEmailSender(IOptions<SmtpEmailOptions> options, TimeProvider? timeProvider = null) : IEmailSender
{
    private readonly SmtpEmailOptions _options = options.Value;
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    public async Task<EmailSendResult> SendAsync(EmailMessage message, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(_options.Host))
        {
            throw new EmailSendException("SMTP needs Email:Smtp:Host", transient: false);
        }

        var mime = MimeMessages.Build(message, _time.GetUtcNow());
        using var client = new SmtpClient { Timeout = (int)_options.Timeout.TotalMilliseconds };
        try
        {
            var security = _options.Security switch
            {
                SmtpSecurity.StartTls => SecureSocketOptions.StartTls,
                SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
                _ => SecureSocketOptions.None,
            };
            await client.ConnectAsync(_options.Host, _options.Port, security, cancellationToken);
            if (!string.IsNullOrEmpty(_options.UserName))
            {
                await client.AuthenticateAsync(_options.UserName, _options.Password ?? string.Empty, cancellationToken);
            }

            await client.SendAsync(mime, cancellationToken);
            await client.DisconnectAsync(quit: true, cancellationToken);
            return new EmailSendResult(MimeMessages.MessageId(message), "Sent");
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (SmtpCommandException exception)
        {
            var code = (int)exception.StatusCode;
            var transient = code is >= 400 and < 500;
            throw new EmailSendException($"SMTP {_options.Host} refused the email to {message.To.Address}: {code} {exception.Message}", transient, innerException: exception);
        }
        catch (AuthenticationException exception)
        {
            throw new EmailSendException($"SMTP {_options.Host} rejected the credentials of {_options.UserName}: {exception.Message}", transient: false, innerException: exception);
        }
        catch (SslHandshakeException exception)
        {
            throw new EmailSendException($"TLS with SMTP {_options.Host}:{_options.Port} failed: {exception.Message}", transient: false, innerException: exception);
        }
        catch (Exception exception) when (exception is SmtpProtocolException or ServiceNotConnectedException or IOException or SocketException or TimeoutException or OperationCanceledException)
        {
            throw new EmailSendException($"SMTP {_options.Host}:{_options.Port} failed: {exception.Message}", transient: true, innerException: exception);
        }
    }
}

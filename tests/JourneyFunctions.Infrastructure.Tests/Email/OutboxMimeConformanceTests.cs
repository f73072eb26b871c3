using System.Text;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Security;
using JourneyFunctions.Core.Services;
using JourneyFunctions.Infrastructure.Email;
using Microsoft.Extensions.Time.Testing;
using MimeKit;

namespace JourneyFunctions.Infrastructure.Tests.Email;

/// <summary>
/// The outbox's .eml files are standards-conformant MIME whatever the templates hold: read back by MimeKit and by
/// <see cref="StrictMime"/>, a reader of the RFCs that refuses what MimeKit tolerates (raw 8-bit text without a
/// Content-Transfer-Encoding, bare LF line ends, a Message-ID at localhost).
/// </summary>
public sealed class OutboxMimeConformanceTests : IDisposable
{
    private const string Text = "Olá Zoë, your cart (2 × Linen tee, €59.90) is saved — see you soon.";
    private const string Html = "<p>Olá Zoë, your cart (2 &times; Linen tee, <strong>€59.90</strong>) is saved — see you soon.</p>";

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "jf-mime-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 9, 30, 5, TimeSpan.Zero));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task SendAsync_EightBitText_SevenBitCleanFileBothParsersReadTheSameText()
    {
        var raw = await WriteAsync(Message(Text, Html, "Zoë, you left something in your cart"));

        Assert.All(raw, b => Assert.True(b < 128, "the .eml holds a raw 8-bit octet"));
        var strict = StrictMime.Parse(raw);
        using var stream = new MemoryStream(raw);
        var mime = await MimeMessage.LoadAsync(stream);
        var text = Assert.Single(strict.Parts, p => p.ContentType == "text/plain");
        var html = Assert.Single(strict.Parts, p => p.ContentType == "text/html");
        Assert.Equal("utf-8", text.Charset);
        Assert.Contains(text.TransferEncoding, new[] { "quoted-printable", "base64" });
        Assert.Contains(html.TransferEncoding, new[] { "quoted-printable", "base64" });
        Assert.Equal(Text, text.Text.Trim());
        Assert.Equal(Text, mime.TextBody!.Trim());
        Assert.Equal(Html, html.Text.Trim());
        Assert.Equal("Zoë, you left something in your cart", mime.Subject);
        Assert.Equal(mime.Subject, StrictMime.DecodeEncodedWords(strict.Header("Subject")!).Trim());
    }

    [Fact]
    public async Task SendAsync_AsciiTextWithAnHtmlLineLongerThan998_StillConformant()
    {
        var longLine = "<p>" + string.Concat(Enumerable.Repeat("<span style=\"color:#27272a\">word</span> ", 60)) + "</p>";

        var raw = await WriteAsync(Message("plain ascii", longLine, "Plain"));

        var strict = StrictMime.Parse(raw);
        Assert.Equal(longLine, Assert.Single(strict.Parts, p => p.ContentType == "text/html").Text.Trim());
    }

    [Fact]
    public async Task SendAsync_DefaultSender_MessageIdAtTheSendersDomainNotLocalhost()
    {
        var sending = new SendingOptions();

        var raw = await WriteAsync(Message(Text, Html, "Hi") with { From = new EmailAddress(sending.FromAddress, sending.FromName) });

        var strict = StrictMime.Parse(raw);
        Assert.Equal("hello@northwind.example", strict.Header("From")!.Trim());
        Assert.EndsWith("@northwind.example>", strict.Header("Message-ID")!.Trim(), StringComparison.Ordinal);
        Assert.DoesNotContain("localhost", Encoding.ASCII.GetString(raw).Split("\r\n\r\n")[0], StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("Subject: hi\nFrom: a@b.example\r\n\r\nbody\r\n", "bare LF")]
    [InlineData("MIME-Version: 1.0\r\nDate: Mon, 23 Nov 2026 09:30:05 +0000\r\nFrom: a@b.example\r\nMessage-ID: <x@localhost>\r\n\r\nbody\r\n", "Message-ID domain")]
    [InlineData("MIME-Version: 1.0\r\nDate: Mon, 23 Nov 2026 09:30:05 +0000\r\nFrom: a@b.example\r\nMessage-ID: <x@b.example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nOl\u00e1\r\n", "8-bit octet in a 7bit part")]
    [InlineData("MIME-Version: 1.0\r\nDate: Mon, 23 Nov 2026 09:30:05 +0000\r\nFrom: a@b.example\r\nMessage-ID: <x@b.example>\r\nContent-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nbad =ZZ escape\r\n", "=XX escape")]
    public void StrictMime_WhatMimeKitTolerates_Refused(string message, string rule)
    {
        var raw = Encoding.UTF8.GetBytes(message);

        var refused = Assert.Throws<FormatException>(() => StrictMime.Parse(raw));

        Assert.Contains(rule, refused.Message, StringComparison.Ordinal);
    }

    private static EmailMessage Message(string text, string html, string subject) => new()
    {
        OperationId = "run-1|reminder-1",
        From = new EmailAddress("news@shop.example", "Northwind Goods"),
        To = new EmailAddress("zoe@example.com", "Zoë Example"),
        Subject = subject,
        Html = html,
        Text = text,
        Headers = UnsubscribeLinks.Headers("https://shop.example/api/unsubscribe?token=1.k.abc.def"),
    };

    private async Task<byte[]> WriteAsync(EmailMessage message)
    {
        var result = await new OutboxEmailSender(_directory, _time).SendAsync(message);
        return await File.ReadAllBytesAsync(Path.Combine(_directory, result.MessageId));
    }
}

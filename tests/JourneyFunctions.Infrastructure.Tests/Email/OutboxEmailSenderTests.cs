using JourneyFunctions.Core.Ports;
using JourneyFunctions.Infrastructure.Email;
using Microsoft.Extensions.Time.Testing;
using MimeKit;

namespace JourneyFunctions.Infrastructure.Tests.Email;

public sealed class OutboxEmailSenderTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "jf-outbox-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 23, 9, 30, 5, TimeSpan.Zero));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task SendAsync_Message_WritesAnEmlAMailClientCanOpen()
    {
        var sender = new OutboxEmailSender(_directory, _time);

        var result = await sender.SendAsync(AcsEmailSenderTests.Message());

        var file = Assert.Single(Directory.GetFiles(_directory));
        Assert.Equal(Path.GetFileName(file), result.MessageId);
        Assert.Matches(@"^20261123-093005-[0-9a-f]{16}\.eml$", result.MessageId);
        var mime = await MimeMessage.LoadAsync(file);
        Assert.Equal("Ann, you left something in your cart", mime.Subject);
        Assert.Equal("ann@example.com", mime.To.Mailboxes.Single().Address);
        Assert.Equal("Northwind Goods", mime.From.Mailboxes.Single().Name);
        Assert.Equal("Hi Ann & friends", mime.TextBody!.Trim());
        Assert.Equal("<p>Hi Ann &amp; friends</p>", mime.HtmlBody!.Trim());
        Assert.Equal("<https://shop.example/api/unsubscribe?token=1.k.abc.def>", mime.Headers["List-Unsubscribe"]);
        Assert.Equal("List-Unsubscribe=One-Click", mime.Headers["List-Unsubscribe-Post"]);
        Assert.Equal(_time.GetUtcNow(), mime.Date);
    }

    [Fact]
    public async Task SendAsync_SameOperationIdAgainLater_ReturnsTheFirstFileAndWritesNothing()
    {
        var sender = new OutboxEmailSender(_directory, _time);
        var first = await sender.SendAsync(AcsEmailSenderTests.Message("run-1:email-1"));
        _time.Advance(TimeSpan.FromMinutes(5));

        var again = await new OutboxEmailSender(_directory, _time).SendAsync(AcsEmailSenderTests.Message("run-1:email-1") with { Subject = "changed" });
        var other = await sender.SendAsync(AcsEmailSenderTests.Message("run-1:email-2"));

        Assert.Equal(first, again);
        Assert.NotEqual(first.MessageId, other.MessageId);
        Assert.Equal(2, Directory.GetFiles(_directory, "*.eml").Length);
        Assert.Empty(Directory.GetFiles(_directory, "*.tmp"));
    }

    [Fact]
    public async Task SendAsync_ManyConcurrentRetriesOfOneEmail_OneFile()
    {
        var sender = new OutboxEmailSender(_directory, _time);

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => sender.SendAsync(AcsEmailSenderTests.Message("run-9:email-1")))));

        Assert.Single(results.Select(r => r.MessageId).Distinct());
        Assert.Single(Directory.GetFiles(_directory));
    }

    [Fact]
    public async Task Start_DeletesPartialFilesOfKilledProcessesOnly()
    {
        Directory.CreateDirectory(_directory);
        using var gone = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("true") { UseShellExecute = false })!;
        await gone.WaitForExitAsync();
        using var alive = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("sleep", "60") { UseShellExecute = false })!;
        var killed = Path.Combine(_directory, $".0123456789abcdef.{gone.Id}.tmp");
        var mine = Path.Combine(_directory, $".1123456789abcdef.{Environment.ProcessId}.tmp");
        var running = Path.Combine(_directory, $".2123456789abcdef.{alive.Id}.tmp");
        foreach (var file in new[] { killed, mine, running })
        {
            await File.WriteAllTextAsync(file, "From: half an email");
        }

        await new OutboxEmailSender(_directory, _time).SendAsync(AcsEmailSenderTests.Message("run-1:email-1"));

        Assert.False(File.Exists(killed));
        Assert.False(File.Exists(mine));
        Assert.True(File.Exists(running)); // another live process may be writing it
        Assert.Single(Directory.GetFiles(_directory, "*.eml"));
        alive.Kill();
    }
}

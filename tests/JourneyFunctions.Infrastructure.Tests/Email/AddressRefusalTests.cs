using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Infrastructure.Email;
using Microsoft.Extensions.Options;

namespace JourneyFunctions.Infrastructure.Tests.Email;

/// <summary>
/// Every sender refuses an address it cannot send to permanently (never a retry), with the parser ingest uses, and
/// the outbox leaves no partial file behind.
/// </summary>
public sealed class AddressRefusalTests : IDisposable
{
    public static TheoryData<string> Unsendable() => new()
    {
        "a@b.com,c@evil.com", "a@@b.com", "x<c@evil.com>@b.com", "ana\0@example.com", "Ana <ana@example.com>", "ana@localhost", "ana@example.com;bo@example.com",
    };

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "jf-refusal-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Theory]
    [MemberData(nameof(Unsendable))]
    public void TryParse_NotOneMailbox_False(string address) => Assert.False(EmailAddresses.TryParse(address, out _, out _));

    [Theory]
    [InlineData("ana@example.com")]
    [InlineData("ana.maria+shop@sub.example.co.uk")]
    public void TryParse_OneMailbox_True(string address) => Assert.True(EmailAddresses.TryParse(address, out _, out _));

    [Theory]
    [MemberData(nameof(Unsendable))]
    public async Task OutboxSendAsync_UnsendableAddress_PermanentAndNoFile(string address)
    {
        var sender = new OutboxEmailSender(_directory);

        var refused = await Assert.ThrowsAsync<EmailSendException>(() => sender.SendAsync(AcsEmailSenderTests.Message() with { To = new EmailAddress(address) }));

        Assert.False(refused.Transient);
        Assert.Empty(Directory.GetFiles(_directory));
    }

    [Theory]
    [MemberData(nameof(Unsendable))]
    public async Task SmtpSendAsync_UnsendableAddress_Permanent(string address)
    {
        var sender = new SmtpEmailSender(Options.Create(new SmtpEmailOptions { Host = "127.0.0.1", Port = 9, Security = SmtpSecurity.None }));

        var refused = await Assert.ThrowsAsync<EmailSendException>(() => sender.SendAsync(AcsEmailSenderTests.Message() with { To = new EmailAddress(address) }));

        Assert.False(refused.Transient);
    }

    [Fact]
    public async Task Outbox_PartialFilesOfACrashedWrite_RemovedAtStart()
    {
        Directory.CreateDirectory(_directory);
        var partial = Path.Combine(_directory, ".0123456789abcdef.4242.tmp");
        await File.WriteAllTextAsync(partial, "From: half a message");

        var sender = new OutboxEmailSender(_directory);

        Assert.False(File.Exists(partial));
        Assert.Equal(1, sender.RemovedPartialFiles);
    }

    [Fact]
    public async Task Outbox_SendAfterStart_LooksUpItsIndexNotTheFolder()
    {
        // The folder is listed once, at start: a send then costs the same with 20,000 files as with none. A file
        // that appears later under the same hash (only another process could write it) is not looked for.
        var sender = new OutboxEmailSender(_directory);
        var first = await sender.SendAsync(AcsEmailSenderTests.Message("run-1:email-1"));
        File.Move(Path.Combine(_directory, first.MessageId), Path.Combine(_directory, "renamed-" + first.MessageId));

        var again = await sender.SendAsync(AcsEmailSenderTests.Message("run-1:email-1"));

        Assert.Equal(first.MessageId, again.MessageId);
        Assert.Single(Directory.GetFiles(_directory, "*.eml"));
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void LocalUnsubscribeKey_NewAndWideOpenFiles_Are0600()
    {
        var path = Path.Combine(_directory, "keys", "unsubscribe.key");
        LocalUnsubscribeKey.LoadOrCreate(path);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));

        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        LocalUnsubscribeKey.LoadOrCreate(path);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }
}

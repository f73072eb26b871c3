using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using JourneyFunctions.Core.Ports;
using Microsoft.Extensions.Options;

namespace JourneyFunctions.Infrastructure.Email;

/// <summary>The local outbox (configuration section <c>Email:Outbox</c>).</summary>
public sealed class OutboxEmailOptions
{
    public const string SectionName = "Email:Outbox";

    /// <summary>Where .eml files go; relative to the current directory.</summary>
    public string Directory { get; set; } = "outbox";
}

/// <summary>
/// The embedded default sender: writes each email as an .eml file (open it in any mail client) named
/// <c>yyyyMMdd-HHmmss-&lt;hash of the operation id&gt;.eml</c>, so the folder sorts by time. Idempotent: a second send
/// with the same operation id finds the first file and writes nothing. Files appear whole (written aside, then moved);
/// the partial files a killed process left aside are deleted before the first send of the next one.
/// </summary>
public sealed class OutboxEmailSender : IEmailSender
{
    private readonly string _directory;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Folders whose orphaned partial files this process has deleted already (once per folder and process).</summary>
    private static readonly ConcurrentDictionary<string, bool> Swept = new(StringComparer.Ordinal);

    public OutboxEmailSender(IOptions<OutboxEmailOptions> options, TimeProvider? timeProvider = null)
        : this(options.Value.Directory, timeProvider)
    {
    }

    public OutboxEmailSender(string directory, TimeProvider? timeProvider = null)
    {
        _directory = Path.GetFullPath(directory);
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The absolute outbox folder.</summary>
    public string Directory => _directory;

    public async Task<EmailSendResult> SendAsync(EmailMessage message, CancellationToken cancellationToken = default)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(message.OperationId)))[..16];
        await _gate.WaitAsync(cancellationToken);
        try
        {
            System.IO.Directory.CreateDirectory(_directory);
            if (Swept.TryAdd(_directory, true))
            {
                DeleteOrphanedPartials(_directory);
            }

            var existing = System.IO.Directory.EnumerateFiles(_directory, $"*-{hash}.eml").FirstOrDefault();
            if (existing is not null)
            {
                return new EmailSendResult(Path.GetFileName(existing), "Written");
            }

            var now = _time.GetUtcNow();
            var name = $"{now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}-{hash}.eml";
            var temporary = Path.Combine(_directory, $".{hash}.{Environment.ProcessId}.tmp");
            try
            {
                await using (var stream = File.Create(temporary))
                {
                    await MimeMessages.Build(message, now).WriteToAsync(stream, cancellationToken);
                }

                File.Move(temporary, Path.Combine(_directory, name));
            }
            catch (IOException exception)
            {
                File.Delete(temporary);
                throw new EmailSendException($"could not write {name} to the outbox {_directory}: {exception.Message}", transient: true, innerException: exception);
            }
            catch (UnauthorizedAccessException exception)
            {
                File.Delete(temporary);
                throw new EmailSendException($"the outbox {_directory} is not writable: {exception.Message}", transient: false, innerException: exception);
            }

            return new EmailSendResult(name, "Written");
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Deletes <c>.{hash}.{pid}.tmp</c> files of processes that are gone (killed mid-write). A file of this process id
    /// is an orphan too: nothing in this process has written one yet, and in a container every start is the same pid.
    /// </summary>
    private static void DeleteOrphanedPartials(string directory)
    {
        foreach (var file in System.IO.Directory.EnumerateFiles(directory, ".*.tmp"))
        {
            var parts = Path.GetFileName(file).Split('.');
            if (parts.Length == 4 && int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && (pid == Environment.ProcessId || !IsRunning(pid)))
            {
                try
                {
                    File.Delete(file);
                }
                catch (IOException)
                {
                    // Gone already, or held: the next start tries again.
                }
            }
        }
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}

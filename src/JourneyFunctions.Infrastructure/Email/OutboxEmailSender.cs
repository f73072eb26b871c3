using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using JourneyFunctions.Core.Ports;
using Microsoft.Extensions.Options;
using MimeKit;

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
/// with the same operation id finds the first file and writes nothing. Files appear whole (written aside as
/// <c>.&lt;hash&gt;.&lt;pid&gt;.tmp</c>, then moved).
/// </summary>
/// <remarks>
/// A send costs the same however full the folder is: the folder is listed once, when the sender is created (the host
/// creates it at start), into an index of the hashes already written; each send then looks its hash up there. That
/// listing also deletes the partial <c>.tmp</c> files a crashed process left. One process writes to a folder at a time
/// (the built-in host's outbox is its own).
/// </remarks>
public sealed class OutboxEmailSender : IEmailSender
{
    /// <summary>RFC 5322 2.3: lines end in CRLF, on every OS (MimeKit's default is the platform's new line).</summary>
    private static readonly FormatOptions WireFormat = new() { NewLineFormat = NewLineFormat.Dos };

    private readonly string _directory;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<string, string> _written = new(StringComparer.Ordinal);

    public OutboxEmailSender(IOptions<OutboxEmailOptions> options, TimeProvider? timeProvider = null)
        : this(options.Value.Directory, timeProvider)
    {
    }

    public OutboxEmailSender(string directory, TimeProvider? timeProvider = null)
    {
        _directory = Path.GetFullPath(directory);
        _time = timeProvider ?? TimeProvider.System;
        System.IO.Directory.CreateDirectory(_directory);
        foreach (var path in System.IO.Directory.EnumerateFiles(_directory))
        {
            var file = Path.GetFileName(path);
            if (file.StartsWith('.') && file.EndsWith(".tmp", StringComparison.Ordinal))
            {
                if (IsOrphaned(file))
                {
                    TryDelete(path);
                    RemovedPartialFiles++;
                }
            }
            else if (file.EndsWith(".eml", StringComparison.Ordinal) && file.Length > 20 && file[^21] == '-')
            {
                _written.TryAdd(file[^20..^4], file);
            }
        }
    }

    /// <summary>The absolute outbox folder.</summary>
    public string Directory => _directory;

    /// <summary>How many partial files of a crashed write the start removed.</summary>
    public int RemovedPartialFiles { get; }

    public async Task<EmailSendResult> SendAsync(EmailMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(message.OperationId)))[..16];
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (_written.TryGetValue(hash, out var existing))
            {
                return new EmailSendResult(existing, "Written");
            }

            var now = _time.GetUtcNow();
            var name = $"{now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}-{hash}.eml";
            var mime = MimeMessages.Build(message, now);
            var temporary = Path.Combine(_directory, $".{hash}.{Environment.ProcessId}.tmp");
            try
            {
                System.IO.Directory.CreateDirectory(_directory);
                await using (var stream = File.Create(temporary))
                {
                    await mime.WriteToAsync(WireFormat, stream, cancellationToken);
                }

                File.Move(temporary, Path.Combine(_directory, name));
                _written[hash] = name;
            }
            catch (IOException exception)
            {
                TryDelete(temporary);
                throw new EmailSendException($"could not write {name} to the outbox {_directory}: {exception.Message}", transient: true, innerException: exception);
            }
            catch (UnauthorizedAccessException exception)
            {
                TryDelete(temporary);
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
    /// Whether a <c>.{hash}.{pid}.tmp</c> file was left by a process that is gone (killed mid-write). A file of this
    /// process id is an orphan too: nothing in this process has written one yet, and in a container every start is the
    /// same pid. A file of another live process is kept: it may be writing it.
    /// </summary>
    private static bool IsOrphaned(string file)
    {
        var parts = file.Split('.');
        if (parts.Length != 4 || !int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
        {
            return true;
        }

        if (pid == Environment.ProcessId)
        {
            return true;
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            return process.HasExited;
        }
        catch (Exception exception) when (exception is ArgumentException or InvalidOperationException)
        {
            return true;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // A file that cannot be deleted now is deleted at the next start.
        }
    }
}

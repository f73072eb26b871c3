using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using JourneyFunctions.Core.Contacts;
using JourneyFunctions.Core.Ports;
using JourneyFunctions.Core.Serialization;

namespace JourneyFunctions.Infrastructure.Storage;

/// <summary>
/// The wire format of the event queue, shared by the Azure and in-memory queues so they accept and refuse the same
/// messages: the body is the JSON of a <see cref="ContactEvent"/>, base64 encoded on the wire (the Functions queue
/// trigger's default), and the encoded message must fit the 64 KiB Queue Storage limit.
/// </summary>
public static class QueueMessages
{
    /// <summary>Queue Storage's limit on one message, measured on the encoded (base64) text.</summary>
    public const int MaxEncodedBytes = 64 * 1024;

    /// <summary>The longest UTF-8 body whose base64 form still fits <see cref="MaxEncodedBytes"/>.</summary>
    public const int MaxBodyBytes = MaxEncodedBytes / 4 * 3;

    /// <summary>Serializes the event and refuses it when it would not fit one queue message.</summary>
    public static string Serialize(ContactEvent contactEvent)
    {
        ArgumentNullException.ThrowIfNull(contactEvent);
        var body = JourneyJson.Serialize(contactEvent);
        var bytes = Encoding.UTF8.GetByteCount(body);
        if (bytes > MaxBodyBytes)
        {
            throw new MessageTooLargeException(
                $"Event '{contactEvent.Id}' of contact '{contactEvent.ContactId}' is {bytes} bytes as JSON ({EncodedLength(bytes)} bytes base64), " +
                $"over the queue limit of {MaxEncodedBytes} bytes encoded ({MaxBodyBytes} bytes of JSON). Send large data by reference instead.");
        }

        return body;
    }

    /// <summary>
    /// The event as UTF-8 JSON (the same bytes as <see cref="Serialize"/> encoded), refused like there when it would not
    /// fit one queue message; for senders that base64-encode the bytes themselves, without the JSON text in between.
    /// </summary>
    public static byte[] SerializeToUtf8(ContactEvent contactEvent)
    {
        ArgumentNullException.ThrowIfNull(contactEvent);
        var body = JsonSerializer.SerializeToUtf8Bytes(contactEvent, JourneyJson.Options);
        if (body.Length > MaxBodyBytes)
        {
            throw new MessageTooLargeException(
                $"Event '{contactEvent.Id}' of contact '{contactEvent.ContactId}' is {body.Length} bytes as JSON ({EncodedLength(body.Length)} bytes base64), " +
                $"over the queue limit of {MaxEncodedBytes} bytes encoded ({MaxBodyBytes} bytes of JSON). Send large data by reference instead.");
        }

        return body;
    }

    /// <summary>Refuses a raw body that would not fit one queue message once base64 encoded.</summary>
    public static void EnsureFits(string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        var bytes = Encoding.UTF8.GetByteCount(body);
        if (bytes > MaxBodyBytes)
        {
            throw new MessageTooLargeException(
                $"The message body is {bytes} bytes ({EncodedLength(bytes)} bytes base64), over the queue limit of {MaxEncodedBytes} bytes encoded.");
        }
    }

    /// <summary>Base64 length of <paramref name="bytes"/> bytes.</summary>
    public static int EncodedLength(int bytes) => (bytes + 2) / 3 * 4;

    /// <summary>Parses a body into an event; returns the reason instead of throwing when it is not a valid event.</summary>
    public static ContactEvent? TryParse(string body, out string? error)
    {
        try
        {
            return Checked(JsonSerializer.Deserialize<ContactEvent>(body, JourneyJson.Options), out error);
        }
        catch (JsonException ex)
        {
            error = Invalid(ex);
            return null;
        }
    }

    /// <summary>As <see cref="TryParse(string, out string?)"/>, from the body's UTF-8 bytes (no transcoding of the text).</summary>
    public static ContactEvent? TryParse(ReadOnlySpan<byte> utf8, out string? error)
    {
        try
        {
            return Checked(JsonSerializer.Deserialize<ContactEvent>(utf8, JourneyJson.Options), out error);
        }
        catch (JsonException ex)
        {
            error = Invalid(ex);
            return null;
        }
    }

    private static ContactEvent? Checked(ContactEvent? parsed, out string? error)
    {
        error = parsed is null ? "The message body is JSON null, not a contact event." : null;
        return parsed;
    }

    private static string Invalid(JsonException ex) => $"The message body is not a valid contact event: {ex.Message}";

    /// <summary>
    /// Wraps a poisoned body with its reason as JSON <c>{messageId, reason, at, body}</c> (the id it had in the event queue). When that does not fit one message
    /// (JSON escaping can grow a body near the limit) the body is stored gzip-compressed in <c>bodyGzip</c>; only a
    /// body that does not fit even compressed is cut, and the envelope then says so.
    /// </summary>
    public static string WrapPoison(string messageId, string body, string reason, DateTimeOffset at)
    {
        var plain = JsonSerializer.Serialize(new PoisonEnvelope(messageId, reason, at, body, null, null), EnvelopeOptions);
        if (FitsEncoded(plain))
        {
            return plain;
        }

        var zipped = Convert.ToBase64String(Gzip(body));
        var compressed = JsonSerializer.Serialize(new PoisonEnvelope(messageId, reason, at, null, zipped, null), EnvelopeOptions);
        if (FitsEncoded(compressed))
        {
            return compressed;
        }

        var keep = body.Length;
        string cut;
        do
        {
            keep = keep * 3 / 4;
            cut = JsonSerializer.Serialize(new PoisonEnvelope(messageId, reason, at, body[..keep], null, body.Length), EnvelopeOptions);
        }
        while (!FitsEncoded(cut));
        return cut;
    }

    /// <summary>
    /// Reads a poison queue message: our envelope, or a raw body the Functions runtime moved there itself after too
    /// many dequeues (it keeps the message as it was and adds no reason).
    /// </summary>
    public static PoisonMessage UnwrapPoison(string messageId, string text, DateTimeOffset insertedAt)
    {
        try
        {
            var envelope = JsonSerializer.Deserialize<PoisonEnvelope>(text, EnvelopeOptions);
            if (envelope is { Reason: not null } && (envelope.Body is not null || envelope.BodyGzip is not null))
            {
                var body = envelope.Body ?? Gunzip(Convert.FromBase64String(envelope.BodyGzip!));
                var reason = envelope.TruncatedFrom is { } length
                    ? $"{envelope.Reason} (body cut from {length} characters to fit the poison queue)"
                    : envelope.Reason;
                return new PoisonMessage(envelope.MessageId ?? messageId, body, reason, envelope.At);
            }
        }
        catch (JsonException)
        {
            // Not an envelope: a raw body moved by the Functions runtime.
        }
        catch (FormatException)
        {
            // Not an envelope: a raw body moved by the Functions runtime.
        }

        return new PoisonMessage(messageId, text, "Moved to the poison queue by the queue trigger after too many failed attempts.", insertedAt);
    }

    private static bool FitsEncoded(string text) => EncodedLength(Encoding.UTF8.GetByteCount(text)) <= MaxEncodedBytes;

    private static byte[] Gzip(string text)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }

        return output.ToArray();
    }

    private static string Gunzip(byte[] data)
    {
        using var input = new MemoryStream(data);
        using var gzip = new GZipStream(input, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    private static readonly JsonSerializerOptions EnvelopeOptions = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private sealed record PoisonEnvelope(string? MessageId, string? Reason, DateTimeOffset At, string? Body, string? BodyGzip, int? TruncatedFrom);
}

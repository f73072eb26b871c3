using System.Security.Cryptography;
using System.Text;

namespace JourneyFunctions.Infrastructure.Email;

/// <summary>
/// Deterministic UUIDs for email operation ids. ACS wants a UUID in <c>Operation-Id</c>; the ledger's operation id
/// is a run-and-step string, so it is mapped to a name-based UUID (RFC 9562 version 5, SHA-1, in a namespace of this
/// product): the same email always gets the same UUID, so a retry is the same operation to the service.
/// </summary>
public static class OperationIds
{
    /// <summary>The namespace of JourneyFunctions email operation ids (a fixed, random UUID).</summary>
    public static readonly Guid Namespace = new("5d3c7c8e-41a2-4c59-9a57-2f0f6b1e8d13");

    /// <summary>The UUID for an operation id; an id that already is a UUID is used as is.</summary>
    public static Guid ToUuid(string operationId)
    {
        ArgumentException.ThrowIfNullOrEmpty(operationId);
        if (Guid.TryParseExact(operationId, "D", out var existing))
        {
            return existing;
        }

        Span<byte> input = stackalloc byte[16];
        Namespace.TryWriteBytes(input, bigEndian: true, out _);
        var name = Encoding.UTF8.GetBytes(operationId);
        var buffer = new byte[16 + name.Length];
        input.CopyTo(buffer);
        name.CopyTo(buffer, 16);
#pragma warning disable CA5350 // SHA-1 is what RFC 9562 prescribes for version 5 name-based UUIDs; no security rests on it.
        var hash = SHA1.HashData(buffer);
#pragma warning restore CA5350
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }
}

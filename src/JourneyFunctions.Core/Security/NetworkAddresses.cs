using System.Net;
using System.Net.Sockets;

namespace JourneyFunctions.Core.Security;

/// <summary>
/// Which IP addresses a journey's webhook may reach: public unicast only. Refused: loopback, unspecified, private
/// (RFC 1918, IPv6 unique-local), shared CGNAT space, link-local (which holds the cloud metadata endpoint
/// 169.254.169.254), multicast, broadcast and reserved ranges, documentation and benchmarking ranges, and IPv6 forms
/// that embed one of those IPv4 addresses (mapped, NAT64, 6to4). Pure: used by journey validation on literal IPs and by
/// the webhook client on every resolved address at connect time.
/// </summary>
public static class NetworkAddresses
{
    private static readonly (byte[] Prefix, int Bits)[] RefusedV4 =
    [
        ([0, 0, 0, 0], 8), // "this network"
        ([10, 0, 0, 0], 8), // private
        ([100, 64, 0, 0], 10), // shared address space (CGNAT)
        ([127, 0, 0, 0], 8), // loopback
        ([169, 254, 0, 0], 16), // link-local, cloud metadata
        ([172, 16, 0, 0], 12), // private
        ([192, 0, 0, 0], 24), // IETF protocol assignments
        ([192, 0, 2, 0], 24), // documentation
        ([192, 88, 99, 0], 24), // 6to4 relay anycast
        ([192, 168, 0, 0], 16), // private
        ([198, 18, 0, 0], 15), // benchmarking
        ([198, 51, 100, 0], 24), // documentation
        ([203, 0, 113, 0], 24), // documentation
        ([224, 0, 0, 0], 4), // multicast
        ([240, 0, 0, 0], 4), // reserved, broadcast
    ];

    /// <summary>True when <paramref name="address"/> is a public unicast address a webhook may connect to.</summary>
    public static bool IsPublic(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6)
        {
            return IsPublic(address.MapToIPv4());
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var bytes = address.GetAddressBytes();
            return !RefusedV4.Any(r => InPrefix(bytes, r.Prefix, r.Bits));
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return false;
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.IPv6None) || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal
            || address.IsIPv6Multicast || address.IsIPv6UniqueLocal || address.IsIPv6Teredo)
        {
            return false;
        }

        var v6 = address.GetAddressBytes();
        if (v6[0] == 0x20 && v6[1] == 0x01 && v6[2] == 0x0d && v6[3] == 0xb8)
        {
            return false; // 2001:db8::/32 documentation
        }

        if (v6[0] == 0x20 && v6[1] == 0x02)
        {
            return IsPublic(new IPAddress(v6.AsSpan(2, 4))); // 6to4 embeds an IPv4 address
        }

        if (v6.AsSpan(0, 12).SequenceEqual(new byte[] { 0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0 }))
        {
            return IsPublic(new IPAddress(v6.AsSpan(12, 4))); // NAT64 64:ff9b::/96
        }

        // ::/96 (IPv4-compatible, deprecated) and ::/128.
        return !v6.AsSpan(0, 12).SequenceEqual(new byte[12]);
    }

    private static bool InPrefix(byte[] address, byte[] prefix, int bits)
    {
        for (var i = 0; i < 4 && bits > 0; i++, bits -= 8)
        {
            var mask = bits >= 8 ? 0xFF : (byte)(0xFF << (8 - bits));
            if ((address[i] & mask) != (prefix[i] & mask))
            {
                return false;
            }
        }

        return true;
    }
}

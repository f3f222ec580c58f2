using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Gateway.Ssh;

/// <summary>
/// What <see cref="IPNetwork"/> lacks for address lists people write: a bare address as a one-host
/// network, a choice between refusing and clearing host bits, and a dual-stack socket's
/// IPv4-mapped IPv6 peer (<c>::ffff:10.1.2.3</c>) matched as the IPv4 address it is.
/// </summary>
public static class IPNetworks
{
    /// <summary>
    /// <c>addr[/len]</c> as OpenSSH's addr_match_cidr_list reads it (certificate <c>source-address</c>):
    /// host bits set below the prefix make the entry invalid.
    /// </summary>
    public static bool TryParseExact(string text, out IPNetwork network) => TryParse(text, clearHostBits: false, out network);

    /// <summary>
    /// <c>addr[/len]</c> as Go's net.ParseCIDR reads it (policy <c>source_ip</c>): host bits are cleared,
    /// so <c>10.1.2.3/8</c> is <c>10.0.0.0/8</c>, and a bare IPv4-mapped address is its IPv4 address.
    /// A mapped CIDR stays IPv6 and so never matches an IPv4 peer, as in Go.
    /// </summary>
    public static bool TryParseMasked(string text, out IPNetwork network) => TryParse(text, clearHostBits: true, out network);

    /// <summary>
    /// <see cref="IPNetwork.Contains"/> with an IPv4-mapped IPv6 address taken as IPv4. Policy runs this
    /// per request, so the mapped case compares bytes on the stack rather than allocating MapToIPv4().
    /// </summary>
    public static bool ContainsPeer(this IPNetwork network, IPAddress address)
    {
        if (!address.IsIPv4MappedToIPv6)
            return network.Contains(address);
        if (network.BaseAddress.AddressFamily != AddressFamily.InterNetwork)
            return false;
        Span<byte> peer = stackalloc byte[16];
        Span<byte> baseAddress = stackalloc byte[4];
        if (!address.TryWriteBytes(peer, out _) || !network.BaseAddress.TryWriteBytes(baseAddress, out _))
            return false;
        var mask = network.PrefixLength == 0 ? 0u : uint.MaxValue << (32 - network.PrefixLength);
        return (BinaryPrimitives.ReadUInt32BigEndian(peer[12..]) & mask) == BinaryPrimitives.ReadUInt32BigEndian(baseAddress);
    }

    private static bool TryParse(string text, bool clearHostBits, out IPNetwork network)
    {
        network = default;
        var slash = text.IndexOf('/');
        var addressText = slash < 0 ? text : text[..slash];
        // IPAddress.TryParse also takes "10" and "0x0a.1"; a list entry must be a dotted quad or a colon form,
        // and a zone index ("%eth0") names an interface, not a network.
        if (!LooksLikeAddress(addressText) || !IPAddress.TryParse(addressText, out var address))
            return false;
        if (slash < 0 && clearHostBits && address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        var bits = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var prefix = bits;
        if (slash >= 0)
        {
            var prefixText = text.AsSpan(slash + 1);
            if (prefixText.Length is 0 or > 3
                || !int.TryParse(prefixText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out prefix)
                || prefix > bits)
                return false;
        }
        var masked = ClearHostBits(address, prefix);
        if (!clearHostBits && !masked.Equals(address))
            return false;
        network = new IPNetwork(masked, prefix);
        return true;
    }

    private static bool LooksLikeAddress(string text)
    {
        if (text.Contains('%'))
            return false;
        if (text.Contains(':'))
            return true;
        var dots = 0;
        foreach (var c in text)
        {
            if (c == '.')
                dots++;
            else if (!char.IsAsciiDigit(c))
                return false;
        }
        return dots == 3;
    }

    private static IPAddress ClearHostBits(IPAddress address, int prefix)
    {
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var networkBits = Math.Clamp(prefix - i * 8, 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - networkBits));
        }
        return new IPAddress(bytes);
    }
}

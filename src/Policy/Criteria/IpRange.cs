using System.Net;
using System.Net.Sockets;

namespace Gateway.Policy.Criteria;

/// <summary>
/// An address block (CIDR). A bare address is a /32 or /128. Host bits after the prefix are
/// cleared, as Go's net.ParseCIDR does, so <c>10.1.2.3/8</c> means <c>10.0.0.0/8</c>.
/// </summary>
internal sealed class IpRange
{
    private readonly byte[] _network;
    private readonly int _prefix;

    private IpRange(byte[] network, int prefix)
    {
        _network = network;
        _prefix = prefix;
        ClearHostBits(_network, prefix);
    }

    public static bool TryParse(string text, out IpRange? range)
    {
        range = null;
        var slash = text.IndexOf('/');
        var addressText = slash < 0 ? text : text[..slash];
        // IPAddress.TryParse accepts odd forms ("10", "0x0a.1"); insist on a dotted quad or a colon form.
        if (!LooksLikeAddress(addressText) || !IPAddress.TryParse(addressText, out var address) || (address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0))
            return false;
        // A bare mapped address is its IPv4 address (Go: ip.To4()); a mapped CIDR stays IPv6 and,
        // like Go's IPNet.Contains, then never matches, since inputs are normalised to IPv4.
        if (slash < 0 && address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        var bits = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var prefix = bits;
        if (slash >= 0)
        {
            var prefixText = text.AsSpan(slash + 1);
            if (prefixText.Length is 0 or > 3 || !int.TryParse(prefixText, System.Globalization.NumberStyles.None, null, out prefix) || prefix > bits)
                return false;
        }
        range = new IpRange(address.GetAddressBytes(), prefix);
        return true;
    }

    private static bool LooksLikeAddress(string text)
    {
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

    /// <summary>
    /// Writes the address as 4 or 16 bytes, IPv4-mapped IPv6 as its 4 IPv4 bytes, so that a
    /// dual-stack socket's <c>::ffff:10.1.2.3</c> matches <c>10.0.0.0/8</c>. Returns the length.
    /// </summary>
    public static int Normalize(IPAddress address, Span<byte> destination)
    {
        if (!address.TryWriteBytes(destination, out var written))
            return 0;
        if (address.IsIPv4MappedToIPv6)
        {
            destination.Slice(12, 4).CopyTo(destination);
            return 4;
        }
        return written;
    }

    /// <summary>Contains check over bytes from <see cref="Normalize"/>; v4 ranges never match v6 addresses.</summary>
    public bool Contains(ReadOnlySpan<byte> address)
    {
        if (address.Length != _network.Length)
            return false;
        var fullBytes = _prefix / 8;
        if (!address[..fullBytes].SequenceEqual(_network.AsSpan(0, fullBytes)))
            return false;
        var remaining = _prefix % 8;
        if (remaining == 0)
            return true;
        var mask = (byte)(0xFF << (8 - remaining));
        return (address[fullBytes] & mask) == _network[fullBytes];
    }

    private static void ClearHostBits(byte[] network, int prefix)
    {
        for (var i = 0; i < network.Length; i++)
        {
            var bitsHere = Math.Clamp(prefix - i * 8, 0, 8);
            network[i] &= (byte)(0xFF << (8 - bitsHere));
        }
    }

    public override string ToString() => new IPAddress(_network) + "/" + _prefix;
}

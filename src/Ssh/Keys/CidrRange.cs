using System.Net;

namespace Gateway.Ssh.Keys;

/// <summary>An address block <c>addr[/len]</c> as used by the <c>source-address</c> certificate option.</summary>
internal readonly struct CidrRange
{
    private readonly byte[] _network;
    private readonly int _prefixLength;

    private CidrRange(byte[] network, int prefixLength)
    {
        _network = network;
        _prefixLength = prefixLength;
    }

    /// <summary>
    /// Parses <c>10.1.2.0/24</c>, <c>2001:db8::/32</c> or a bare address. Like OpenSSH's
    /// addr_match_cidr_list, host bits set below the prefix make the entry invalid.
    /// </summary>
    public static bool TryParse(string text, out CidrRange range)
    {
        range = default;
        var slash = text.IndexOf('/');
        var addressText = slash < 0 ? text : text[..slash];
        if (addressText.Contains('%') || !IPAddress.TryParse(addressText, out var address)) return false;
        var bytes = address.GetAddressBytes();
        var maxPrefix = bytes.Length * 8;
        var prefix = maxPrefix;
        if (slash >= 0)
        {
            var prefixText = text[(slash + 1)..];
            if (prefixText.Length is 0 or > 3 || !prefixText.All(char.IsAsciiDigit)) return false;
            prefix = int.Parse(prefixText, System.Globalization.CultureInfo.InvariantCulture);
            if (prefix > maxPrefix) return false;
        }
        for (var bit = prefix; bit < maxPrefix; bit++)
            if ((bytes[bit / 8] & (0x80 >> (bit % 8))) != 0) return false;
        range = new CidrRange(bytes, prefix);
        return true;
    }

    public bool Contains(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        var bytes = address.GetAddressBytes();
        if (bytes.Length != _network.Length) return false;
        var full = _prefixLength / 8;
        for (var i = 0; i < full; i++)
            if (bytes[i] != _network[i]) return false;
        var rest = _prefixLength % 8;
        if (rest == 0) return true;
        var mask = (byte)(0xFF << (8 - rest));
        return (bytes[full] & mask) == (_network[full] & mask);
    }
}

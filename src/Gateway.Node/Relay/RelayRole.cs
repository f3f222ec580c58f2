using System.Net;

namespace Gateway.Node.Relay;

/// <summary>
/// A node advertises its relay listener as a cluster role (<c>relay=host:port</c>), so every
/// member learns every other member's relay address from cluster membership, with no extra protocol.
/// </summary>
public static class RelayRole
{
    private const string Prefix = "relay=";

    public static string Format(DnsEndPoint address) => Prefix + (address.Host.Contains(':') ? $"[{address.Host}]" : address.Host) + ":" + address.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static DnsEndPoint? Parse(IEnumerable<string> roles)
    {
        foreach (var role in roles)
        {
            if (!role.StartsWith(Prefix, StringComparison.Ordinal)) continue;
            var text = role[Prefix.Length..];
            var colon = text.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
                return null;
            return new DnsEndPoint(text[..colon].Trim('[', ']'), port);
        }
        return null;
    }
}

using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Gateway.Config;

/// <summary>
/// Host header values as the status listener compares them: <c>name</c> or <c>name:port</c>, lower
/// case, without a trailing dot, IPv6 addresses in brackets in their shortest form. The same form
/// serves the configured <c>status_allowed_hosts</c> and the Host of each request.
/// </summary>
public static class StatusHosts
{
    /// <summary>The normalized form, or null when <paramref name="text"/> is not a host with an optional port.</summary>
    public static string? Normalize(string text)
    {
        var s = text.Trim();
        string host;
        string? port = null;
        if (s.StartsWith('['))
        {
            var close = s.IndexOf(']');
            if (close < 0 || !IPAddress.TryParse(s[1..close], out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6) return null;
            host = $"[{v6}]";
            var rest = s[(close + 1)..];
            if (rest.Length > 0)
            {
                if (!rest.StartsWith(':')) return null;
                port = rest[1..];
            }
        }
        else if (s.IndexOf(':') != s.LastIndexOf(':'))
        {
            // An IPv6 address without brackets (and so without a port).
            return IPAddress.TryParse(s, out var bare) && bare.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{bare}]" : null;
        }
        else
        {
            var colon = s.IndexOf(':');
            host = colon < 0 ? s : s[..colon];
            port = colon < 0 ? null : s[(colon + 1)..];
        }
        host = host.TrimEnd('.').ToLowerInvariant();
        if (host.Length == 0 || !host.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '[' or ']' or ':')) return null;
        if (port is null) return host;
        return ushort.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? $"{host}:{number}" : null;
    }

    /// <summary>The host part of a normalized value (without its port).</summary>
    public static string HostOf(string normalized)
    {
        var colon = normalized.LastIndexOf(':');
        return colon > normalized.LastIndexOf(']') ? normalized[..colon] : normalized;
    }
}

using System.Formats.Asn1;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace Gateway.Node.Http;

/// <summary>
/// The X.509 name constraints (RFC 5280 §4.2.1.10) of the local certificate authority: it may
/// only vouch for the route host names it was made for. A client that trusts <c>ca.pem</c> then
/// trusts it for those names only, so the CA key, if it leaked, could not impersonate other sites.
/// A DNS constraint <c>example.com</c> covers the name and every name below it (a wildcard route
/// <c>*.apps.example.com</c> gives <c>apps.example.com</c>); IP literal hosts are permitted one by
/// one, and when there are none every IP address is excluded.
/// </summary>
public sealed class LocalCaNameConstraints
{
    private const string Oid = "2.5.29.30";
    private static readonly Asn1Tag Permitted = new(TagClass.ContextSpecific, 0);
    private static readonly Asn1Tag Excluded = new(TagClass.ContextSpecific, 1);
    private static readonly Asn1Tag DnsName = new(TagClass.ContextSpecific, 2);
    private static readonly Asn1Tag IpAddress = new(TagClass.ContextSpecific, 7);

    private LocalCaNameConstraints(IReadOnlySet<string> dnsNames, IReadOnlySet<IPAddress> addresses)
    {
        DnsNames = dnsNames;
        Addresses = addresses;
    }

    /// <summary>Permitted DNS subtrees, lower case, without a leading <c>*.</c>.</summary>
    public IReadOnlySet<string> DnsNames { get; }

    /// <summary>Permitted single IP addresses.</summary>
    public IReadOnlySet<IPAddress> Addresses { get; }

    /// <summary>The constraints for these host names (route hosts, wildcards allowed, and IP literals).</summary>
    public static LocalCaNameConstraints For(IEnumerable<string> hosts)
    {
        var names = new SortedSet<string>(StringComparer.Ordinal);
        var addresses = new HashSet<IPAddress>();
        foreach (var host in hosts)
        {
            var trimmed = host.Trim().TrimEnd('.').ToLowerInvariant();
            if (trimmed.StartsWith("*.", StringComparison.Ordinal)) trimmed = trimmed[2..];
            if (trimmed.Length == 0) continue;
            if (IPAddress.TryParse(trimmed.Trim('[', ']'), out var ip)) addresses.Add(ip);
            else names.Add(trimmed);
        }
        return new LocalCaNameConstraints(names, addresses);
    }

    /// <summary>The constraints a CA certificate carries, or null when it has none (or ones this class did not write).</summary>
    public static LocalCaNameConstraints? Read(X509Certificate2 ca)
    {
        var extension = ca.Extensions[Oid];
        if (extension is null) return null;
        try
        {
            var names = new SortedSet<string>(StringComparer.Ordinal);
            var addresses = new HashSet<IPAddress>();
            var reader = new AsnReader(extension.RawData, AsnEncodingRules.DER);
            var constraints = reader.ReadSequence();
            if (constraints.HasData && constraints.PeekTag().HasSameClassAndValue(Permitted))
            {
                var subtrees = constraints.ReadSequence(Permitted);
                while (subtrees.HasData)
                {
                    var subtree = subtrees.ReadSequence();
                    var tag = subtree.PeekTag();
                    if (tag.HasSameClassAndValue(DnsName))
                        names.Add(subtree.ReadCharacterString(UniversalTagNumber.IA5String, DnsName));
                    else if (tag.HasSameClassAndValue(IpAddress))
                    {
                        var bytes = subtree.ReadOctetString(IpAddress);
                        addresses.Add(new IPAddress(bytes.AsSpan(0, bytes.Length / 2)));
                    }
                    else return null;
                }
            }
            return new LocalCaNameConstraints(names, addresses);
        }
        catch (AsnContentException)
        {
            return null;
        }
    }

    /// <summary>True when a certificate for <paramref name="host"/> falls within these constraints.</summary>
    public bool Permits(string host)
    {
        var name = host.TrimEnd('.').ToLowerInvariant();
        if (IPAddress.TryParse(name.Trim('[', ']'), out var ip)) return Addresses.Contains(ip);
        foreach (var permitted in DnsNames)
        {
            if (name == permitted || name.EndsWith("." + permitted, StringComparison.Ordinal))
                return true;
        }
        return false;
    }

    /// <summary>True when every name these constraints permit is permitted by <paramref name="other"/> too.</summary>
    public bool IsWithin(LocalCaNameConstraints other)
        => DnsNames.All(other.Permits) && Addresses.All(other.Addresses.Contains);

    /// <summary>The critical extension, as RFC 5280 asks of name constraints.</summary>
    public X509Extension ToExtension()
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            if (DnsNames.Count > 0 || Addresses.Count > 0)
            {
                using (writer.PushSequence(Permitted))
                {
                    foreach (var name in DnsNames)
                    {
                        using (writer.PushSequence())
                            writer.WriteCharacterString(UniversalTagNumber.IA5String, name, DnsName);
                    }
                    foreach (var address in Addresses)
                    {
                        using (writer.PushSequence())
                            writer.WriteOctetString(AddressWithFullMask(address), IpAddress);
                    }
                }
            }
            if (Addresses.Count == 0)
            {
                // Without a permitted IP subtree, IP addresses would be unconstrained.
                using (writer.PushSequence(Excluded))
                {
                    using (writer.PushSequence())
                        writer.WriteOctetString(new byte[8], IpAddress);
                    using (writer.PushSequence())
                        writer.WriteOctetString(new byte[32], IpAddress);
                }
            }
        }
        return new X509Extension(Oid, writer.Encode(), critical: true);
    }

    private static byte[] AddressWithFullMask(IPAddress address)
    {
        var bytes = address.GetAddressBytes();
        var encoded = new byte[bytes.Length * 2];
        bytes.CopyTo(encoded, 0);
        encoded.AsSpan(bytes.Length).Fill(0xFF);
        return encoded;
    }

    public override string ToString()
        => string.Join(", ", DnsNames.Concat(Addresses.Select(a => a.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{a}]" : a.ToString())));
}

namespace Gateway.Testing;

/// <summary>Keys and certificates made by the real ssh-keygen.</summary>
public static class OpenSshKeys
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>Creates a key pair with no passphrase; returns the private key path (public key at path + ".pub").</summary>
    public static async Task<string> GenerateAsync(TempDirectory dir, string name, string type, int? bits = null)
    {
        var path = dir.File(name);
        var args = new List<string> { "-q", "-t", type, "-N", "", "-C", name, "-f", path };
        if (bits is not null) args.InsertRange(0, ["-b", bits.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        var result = await ExternalProcess.RunAsync("ssh-keygen", args, Timeout);
        if (result.ExitCode != 0) throw new InvalidOperationException($"ssh-keygen failed: {result.Stderr}");
        return path;
    }

    /// <summary>Signs <paramref name="publicKeyPath"/> with the CA; returns the certificate path (…-cert.pub).</summary>
    public static async Task<string> CertifyAsync(string caPrivateKeyPath, string publicKeyPath, string identity, string? principals, string validity = "+1h", params string[] options)
    {
        var args = new List<string> { "-q", "-s", caPrivateKeyPath, "-I", identity, "-V", validity };
        if (principals is not null) args.AddRange(["-n", principals]);
        foreach (var option in options) args.AddRange(["-O", option]);
        args.Add(publicKeyPath);
        var result = await ExternalProcess.RunAsync("ssh-keygen", args, Timeout);
        if (result.ExitCode != 0) throw new InvalidOperationException($"ssh-keygen -s failed: {result.Stderr}");
        return publicKeyPath[..^".pub".Length] + "-cert.pub";
    }
}

using System.Diagnostics;
using System.Security.Cryptography;
using Gateway.Testing;

namespace Gateway.Ssh.Tests.Interop;

/// <summary>
/// Large transfers with OpenSSH's <c>RekeyLimit</c> forcing many key re-exchanges mid-stream: the
/// bytes must arrive unchanged in both directions, and the server must really have rekeyed.
/// </summary>
public class RekeyInteropTests(InteropFixture fixture) : IClassFixture<InteropFixture>
{
    [Theory]
    [InlineData("chacha20-poly1305@openssh.com", 1L << 30)]
    [InlineData("aes256-gcm@openssh.com", 1L << 30)]
    public Task Server_to_client_transfer_survives_rekeying(string cipher, long bytes) => DownloadAsync(cipher, bytes);

    [Theory]
    [Trait("Category", "Slow")]
    [InlineData("chacha20-poly1305@openssh.com", 4L << 30)]
    [InlineData("aes128-ctr", 4L << 30)]
    public Task Multi_gigabyte_transfer_survives_rekeying(string cipher, long bytes) => DownloadAsync(cipher, bytes);

    [Fact]
    public async Task Client_to_server_transfer_survives_rekeying()
    {
        const long bytes = 512L << 20;
        var sessionsBefore = fixture.Server.Sessions.Count;
        var args = fixture.Client().Arguments(["RekeyLimit=64M", "Ciphers=aes128-gcm@openssh.com"]);
        args.Add("sha256");
        var info = new ProcessStartInfo("ssh") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        using var expected = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var block = new byte[1 << 20];
        for (long sent = 0; sent < bytes; sent += block.Length)
        {
            RandomNumberGenerator.Fill(block);
            expected.AppendData(block);
            await process.StandardInput.BaseStream.WriteAsync(block);
        }
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync().WaitAsync(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(process.ExitCode == 0, await stderr);
        Assert.Equal($"{Convert.ToHexStringLower(expected.GetHashAndReset())} {bytes}\n", output);
        Assert.True(fixture.Server.Sessions.ElementAt(sessionsBefore).Transport.KeyExchangeCount >= 8, "expected a key re-exchange every 64 MiB");
    }

    private async Task DownloadAsync(string cipher, long bytes)
    {
        var sessionsBefore = fixture.Server.Sessions.Count;
        var args = fixture.Client().Arguments(["RekeyLimit=64M", $"Ciphers={cipher}"]);
        args.Add($"generate {bytes}");
        var info = new ProcessStartInfo("ssh") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();

        var pattern = TestSshServer.Pattern(256 * 1024);
        using var expected = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (long done = 0; done < bytes; done += pattern.Length) expected.AppendData(pattern, 0, (int)Math.Min(pattern.Length, bytes - done));
        using var actual = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        long total = 0;
        int read;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        while ((read = await process.StandardOutput.BaseStream.ReadAsync(buffer, timeout.Token)) > 0)
        {
            actual.AppendData(buffer, 0, read);
            total += read;
        }
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, await stderr);
        Assert.Equal(bytes, total);
        Assert.Equal(expected.GetHashAndReset(), actual.GetHashAndReset());
        Assert.True(fixture.Server.Sessions.ElementAt(sessionsBefore).Transport.KeyExchangeCount >= bytes / (64L << 20) / 2,
            "expected a key re-exchange every 64 MiB");
    }
}

// MSBuild inline task (RoslynCodeTaskFactory): see TorchSharpNativeFix.targets for why it exists.
#nullable enable
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public class WeakenGlibcxxVersionNeed : Task
{
    private const uint ShtGnuVerneed = 0x6ffffffe;
    private const ushort VerFlgWeak = 0x2;

    private static readonly string[] LibStdCxxCandidates =
    {
        "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/lib/x86_64-linux-gnu/libstdc++.so.6",
        "/usr/lib64/libstdc++.so.6",
        "/usr/lib/libstdc++.so.6",
    };

    [Required]
    public ITaskItem[] Files { get; set; } = Array.Empty<ITaskItem>();

    [Required]
    public string VersionName { get; set; } = string.Empty;

    public override bool Execute()
    {
        string? hostLib = null;
        foreach (var candidate in LibStdCxxCandidates)
        {
            if (File.Exists(candidate)) { hostLib = candidate; break; }
        }
        if (hostLib == null)
        {
            Log.LogMessage(MessageImportance.Low, "No host libstdc++ found; TorchSharp native left as shipped.");
            return true;
        }
        if (Contains(File.ReadAllBytes(hostLib), Encoding.ASCII.GetBytes(VersionName + "\0")))
        {
            Log.LogMessage(MessageImportance.Low, $"{hostLib} provides {VersionName}; TorchSharp native left as shipped.");
            return true;
        }

        foreach (var item in Files)
        {
            var path = item.GetMetadata("FullPath");
            try
            {
                var bytes = File.ReadAllBytes(path);
                var result = MarkWeak(bytes, VersionName);
                switch (result)
                {
                    case PatchResult.Patched:
                        var temp = path + ".a3c-tmp";
                        File.WriteAllBytes(temp, bytes);
                        File.Replace(temp, path, null); // a rename: atomic, and never writes through a hard link
                        Log.LogMessage(MessageImportance.Normal, $"Marked {VersionName} as a weak version need in {path} (host libstdc++ lacks it).");
                        break;
                    case PatchResult.AlreadyWeak:
                        Log.LogMessage(MessageImportance.Low, $"{path}: {VersionName} already weak.");
                        break;
                    case PatchResult.NotNeeded:
                        Log.LogMessage(MessageImportance.Low, $"{path}: no version need {VersionName}.");
                        break;
                }
            }
            catch (Exception ex) when (ex is IOException || ex is InvalidDataException || ex is UnauthorizedAccessException)
            {
                Log.LogError($"Could not patch {path} for {VersionName}: {ex.Message}");
            }
        }
        return !Log.HasLoggedErrors;
    }

    private enum PatchResult { NotNeeded, AlreadyWeak, Patched }

    // Walks the ELF64 little-endian section headers to .gnu.version_r (SHT_GNU_verneed), then its
    // Elf64_Verneed chain and each one's Elf64_Vernaux chain, and sets VER_FLG_WEAK on the entry
    // whose name (in the linked string table) is versionName.
    private static PatchResult MarkWeak(byte[] elf, string versionName)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("not an ELF file");
        if (elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException("not a 64-bit little-endian ELF file");

        var shoff = (long)BitConverter.ToUInt64(elf, 0x28);
        var shentsize = BitConverter.ToUInt16(elf, 0x3A);
        var shnum = BitConverter.ToUInt16(elf, 0x3C);
        for (var i = 0; i < shnum; i++)
        {
            var sh = checked((int)(shoff + (long)i * shentsize));
            if (BitConverter.ToUInt32(elf, sh + 4) != ShtGnuVerneed) continue;

            var offset = checked((int)BitConverter.ToUInt64(elf, sh + 0x18));
            var link = BitConverter.ToUInt32(elf, sh + 0x28);
            var count = BitConverter.ToUInt32(elf, sh + 0x2C);
            var strSh = checked((int)(shoff + (long)link * shentsize));
            var strOffset = checked((int)BitConverter.ToUInt64(elf, strSh + 0x18));

            var need = offset;
            for (var n = 0; n < count; n++)
            {
                var auxCount = BitConverter.ToUInt16(elf, need + 2);
                var aux = need + (int)BitConverter.ToUInt32(elf, need + 8);
                for (var a = 0; a < auxCount; a++)
                {
                    var name = ReadCString(elf, strOffset + (int)BitConverter.ToUInt32(elf, aux + 8));
                    if (name == versionName)
                    {
                        var flags = BitConverter.ToUInt16(elf, aux + 4);
                        if ((flags & VerFlgWeak) != 0) return PatchResult.AlreadyWeak;
                        var patched = (ushort)(flags | VerFlgWeak);
                        elf[aux + 4] = (byte)(patched & 0xff);
                        elf[aux + 5] = (byte)(patched >> 8);
                        return PatchResult.Patched;
                    }
                    aux += (int)BitConverter.ToUInt32(elf, aux + 12);
                }
                need += (int)BitConverter.ToUInt32(elf, need + 12);
            }
        }
        return PatchResult.NotNeeded;
    }

    private static string ReadCString(byte[] bytes, int start)
    {
        var end = start;
        while (end < bytes.Length && bytes[end] != 0) end++;
        return Encoding.ASCII.GetString(bytes, start, end - start);
    }

    private static bool Contains(byte[] haystack, byte[] needle)
    {
        for (var i = 0; i <= haystack.Length - needle.Length; i++)
        {
            var match = true;
            for (var j = 0; j < needle.Length; j++)
            {
                if (haystack[i + j] != needle[j]) { match = false; break; }
            }
            if (match) return true;
        }
        return false;
    }
}

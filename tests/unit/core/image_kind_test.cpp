#include "core/image_kind.h"

#include <gtest/gtest.h>

namespace {

using mpxe::ImageKind;
using mpxe::image_kind;

TEST(ImageKind, MediaTypesAsUefiHttpBootReadsThem) {
  ImageKind kind = ImageKind::kExecutable;
  EXPECT_TRUE(mpxe::image_kind_of_media_type("application/vnd.efi-iso", &kind));
  EXPECT_EQ(kind, ImageKind::kVirtualCd);
  EXPECT_TRUE(mpxe::image_kind_of_media_type("application/vnd.efi-img", &kind));
  EXPECT_EQ(kind, ImageKind::kVirtualDisk);
  EXPECT_TRUE(mpxe::image_kind_of_media_type("application/efi", &kind));
  EXPECT_EQ(kind, ImageKind::kExecutable);
  EXPECT_TRUE(mpxe::image_kind_of_media_type("application/x-iso9660-image", &kind));
  EXPECT_EQ(kind, ImageKind::kVirtualCd);
  // Types that say nothing leave the decision to the name.
  kind = ImageKind::kVirtualDisk;
  EXPECT_FALSE(mpxe::image_kind_of_media_type("application/octet-stream", &kind));
  EXPECT_FALSE(mpxe::image_kind_of_media_type("", &kind));
  EXPECT_FALSE(mpxe::image_kind_of_media_type(nullptr, &kind));
  EXPECT_FALSE(mpxe::image_kind_of_media_type("application/efi-iso", &kind));
  EXPECT_EQ(kind, ImageKind::kVirtualDisk);
}

TEST(ImageKind, ExtensionsDecide) {
  EXPECT_EQ(image_kind("boot.img"), ImageKind::kVirtualDisk);
  EXPECT_EQ(image_kind("debian-12.iso"), ImageKind::kVirtualCd);
  EXPECT_EQ(image_kind("mpsh.efi"), ImageKind::kExecutable);
  EXPECT_EQ(image_kind("pxelinux.0"), ImageKind::kExecutable);
  EXPECT_EQ(image_kind("boot.img.efi"), ImageKind::kExecutable);
  EXPECT_EQ(image_kind("bootimg"), ImageKind::kExecutable);
  EXPECT_EQ(image_kind(""), ImageKind::kExecutable);
  EXPECT_EQ(image_kind(nullptr), ImageKind::kExecutable);
}

TEST(ImageKind, CaseInsensitiveAndInFolders) {
  EXPECT_EQ(image_kind("BOOT.IMG"), ImageKind::kVirtualDisk);
  EXPECT_EQ(image_kind("images/Installer.IsO"), ImageKind::kVirtualCd);
  EXPECT_EQ(image_kind("a.iso"), ImageKind::kVirtualCd);
}

TEST(ImageKind, BareExtensionNamesNoFile) {
  EXPECT_EQ(image_kind(".iso"), ImageKind::kExecutable);
  EXPECT_EQ(image_kind("dir/.img"), ImageKind::kExecutable);
  EXPECT_EQ(image_kind("http://host/.iso"), ImageKind::kExecutable);
}

TEST(ImageKind, UrlsIgnoreQueryAndFragment) {
  EXPECT_EQ(image_kind("http://10.0.2.2:8080/boot.img"), ImageKind::kVirtualDisk);
  EXPECT_EQ(image_kind("HTTP://server/isos/netinst.iso?arch=amd64"), ImageKind::kVirtualCd);
  EXPECT_EQ(image_kind("https://server/disk.img#top"), ImageKind::kVirtualDisk);
  EXPECT_EQ(image_kind("http://server/get?file=x.iso"), ImageKind::kExecutable);
  EXPECT_EQ(image_kind("http://server/boot.efi"), ImageKind::kExecutable);
  // A TFTP name keeps every character: '?' is part of the file name there.
  EXPECT_EQ(image_kind("odd?.img"), ImageKind::kVirtualDisk);
  EXPECT_EQ(image_kind("odd.img?x"), ImageKind::kExecutable);
}

TEST(ImageKind, Text) {
  EXPECT_STREQ(mpxe::image_kind_text(ImageKind::kVirtualDisk), "virtual disk");
  EXPECT_STREQ(mpxe::image_kind_text(ImageKind::kVirtualCd), "virtual CD");
  EXPECT_STREQ(mpxe::image_kind_text(ImageKind::kExecutable), "EFI image");
}

}  // namespace
